#include <mqtt_protocol.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "sdk/code_attributes.h"
#include "tracemesh/legacy_propagator.h"
#include "tracemesh/mosquitto.h"

namespace tracemesh {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct PropertyDeleter {
  void operator()(mosquitto_property* properties) const noexcept {
    mosquitto_property_free_all(&properties);
  }
};
using PropertyList = std::unique_ptr<mosquitto_property, PropertyDeleter>;

// Return the MQTT v5 user properties (name/value string pairs) of a message.
Pairs user_properties(const mosquitto_property* properties) {
  Pairs pairs;
  bool skip_first = false;
  for (;;) {
    char* name = nullptr;
    char* value = nullptr;
    properties = mosquitto_property_read_string_pair(properties, MQTT_PROP_USER_PROPERTY, &name,
                                                     &value, skip_first);
    if (properties == nullptr) break;
    pairs.emplace_back(name != nullptr ? name : "", value != nullptr ? value : "");
    std::free(name);   // NOLINT: allocated by libmosquitto
    std::free(value);  // NOLINT
    skip_first = true;
  }
  return pairs;
}

LegacyPropagator payload_propagator(const MqttPayloadFields& fields) {
  return LegacyPropagator(LegacyHeaderNames{fields.trace_id, fields.span_id});
}

// Return `payload` (a JSON object) with the context's fields set, or an error.
Expected<std::string> with_payload_fields(std::string_view payload, const Context& context,
                                          const MqttPayloadFields& fields) {
  auto json = nlohmann::json::parse(payload, nullptr, false);
  if (!json.is_object()) {
    return Error{ErrorCode::invalid_input,
                 "MQTT payload is not a JSON object, so it cannot carry the trace id field"};
  }
  Pairs values;
  SequenceWriter writer(values);
  payload_propagator(fields).inject(context, writer);
  for (auto& [name, value] : values) json[name] = std::move(value);
  return json.dump();
}

// Return the payload's string fields named in `fields` as a header-like list.
Pairs payload_values(const mosquitto_message& message, const MqttPayloadFields& fields) {
  Pairs pairs;
  if (message.payload == nullptr || message.payloadlen <= 0) return pairs;
  const std::string_view payload(static_cast<const char*>(message.payload),
                                 static_cast<std::size_t>(message.payloadlen));
  const auto json = nlohmann::json::parse(payload, nullptr, false);
  if (!json.is_object()) return pairs;
  for (const std::string* name : {&fields.trace_id, &fields.span_id}) {
    if (name->empty()) continue;
    const auto found = json.find(*name);
    if (found != json.end() && found->is_string()) {
      pairs.emplace_back(*name, found->get<std::string>());
    }
  }
  return pairs;
}

void set_messaging_attributes(Span& span, std::string_view operation, std::string_view topic,
                              std::size_t payload_size, int qos) {
  span.set_attribute("messaging.system", "mqtt")
      .set_attribute("messaging.operation.type", operation)
      .set_attribute("messaging.destination.name", topic)
      .set_attribute("messaging.message.body.size", static_cast<std::int64_t>(payload_size))
      .set_attribute("messaging.mqtt.qos", qos);
}

}  // namespace

Expected<int> publish_traced(const Tracer& tracer, mosquitto* client, std::string_view topic,
                             std::string_view payload, const MqttPublishOptions& options,
                             CodeLocation where) {
  try {
    SpanOptions span_options;
    span_options.kind = SpanKind::producer;
    Span span = tracer.start_span(std::string("publish ").append(topic), span_options);
    const Context context = current_context().with_span_context(span.context());

    std::string body(payload);
    if (options.payload_fields) {
      auto extended = with_payload_fields(payload, context, *options.payload_fields);
      if (!extended) {
        span.set_status(StatusCode::error, extended.error().text());
        return extended.error();
      }
      body = std::move(*extended);
    }
    Pairs headers;
    SequenceWriter writer(headers);
    tracer.propagator().inject(context, writer);
    mosquitto_property* raw_properties = nullptr;
    for (const auto& [name, value] : headers) {
      if (mosquitto_property_add_string_pair(&raw_properties, MQTT_PROP_USER_PROPERTY, name.c_str(),
                                             value.c_str()) != MOSQ_ERR_SUCCESS) {
        mosquitto_property_free_all(&raw_properties);
        return Error{ErrorCode::transport_error, "MQTT: cannot build user properties"};
      }
    }
    const PropertyList properties(raw_properties);
    set_messaging_attributes(span, "publish", topic, body.size(), options.qos);
    detail::set_code_location(span, where);
    const std::string topic_text(topic);
    int message_id = 0;
    int result =
        mosquitto_publish_v5(client, &message_id, topic_text.c_str(), static_cast<int>(body.size()),
                             body.data(), options.qos, options.retain, properties.get());
    if (result == MOSQ_ERR_NOT_SUPPORTED && properties) {
      // An MQTT 3.1.1 connection refuses properties before sending anything:
      // publish without them (the payload fields, when asked for, still carry the trace).
      result =
          mosquitto_publish(client, &message_id, topic_text.c_str(), static_cast<int>(body.size()),
                            body.data(), options.qos, options.retain);
    }
    if (result != MOSQ_ERR_SUCCESS) {
      span.set_attribute("error.type", mosquitto_strerror(result));
      span.set_status(StatusCode::error, mosquitto_strerror(result));
      return Error{ErrorCode::transport_error,
                   "MQTT publish to '" + topic_text + "': " + mosquitto_strerror(result)};
    }
    span.set_attribute("messaging.message.id", std::to_string(message_id));
    return message_id;
  } catch (const std::exception& error) {
    return Error{ErrorCode::transport_error, std::string("MQTT publish: ") + error.what()};
  }
}

MqttConsumerSpan::MqttConsumerSpan(const Tracer& tracer, const mosquitto_message& message,
                                   const mosquitto_property* properties,
                                   const MqttConsumeOptions& options) {
  const Context current = current_context();
  const Pairs from_properties = user_properties(properties);
  Extraction extraction =
      tracer.propagator().extract_with_report(SequenceReader(from_properties), current);
  source_ = extraction.format;
  if (extraction.format.empty() && options.payload_fields) {
    const Pairs fields = payload_values(message, *options.payload_fields);
    auto extracted =
        payload_propagator(*options.payload_fields).extract(SequenceReader(fields), current);
    if (extracted) {
      extraction.context = std::move(*extracted);
      source_ = "payload";
    }
  }
  const std::string_view topic = message.topic != nullptr ? message.topic : "";
  SpanOptions span_options;
  span_options.kind = SpanKind::consumer;
  span_options.parent = extraction.context;
  span_ = tracer.start_span(std::string("process ").append(topic), span_options);
  set_messaging_attributes(span_, "process", topic,
                           static_cast<std::size_t>(std::max(message.payloadlen, 0)), message.qos);
  span_.set_attribute("messaging.message.id", std::to_string(message.mid))
      .set_attribute("tracemesh.propagation.format",
                     source_.empty() ? std::string_view("none") : std::string_view(source_));
  context_ = extraction.context.with_span_context(span_.context());
  scope_.emplace(context_);
}

MqttConsumerSpan::~MqttConsumerSpan() {
  scope_.reset();
  span_.end();
}

}  // namespace tracemesh
