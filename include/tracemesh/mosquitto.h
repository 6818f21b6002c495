// MQTT over libmosquitto. Part of tracemesh::mosquitto.
//
// publish_traced() publishes in a PRODUCER span and carries the context two
// ways: every propagation header of the tracer (traceparent, tracestate, ...)
// as MQTT v5 user properties (on an MQTT 3.1.1 connection, which has no
// properties, the message goes without them), and, when asked, the trace id
// and span id as fields of a JSON
// object payload for consumers on MQTT 3.1.1, which has no headers.
//
// MqttConsumerSpan, used from a message callback, extracts the producer's
// context — user properties first, then the payload fields — and makes a
// CONSUMER span, child of the producer's span, current while the handler
// runs. Both record messaging.* attributes (OpenTelemetry's messaging
// conventions: messaging.system "mqtt", messaging.destination.name, ...).
#pragma once

#include <mosquitto.h>

#include <optional>
#include <string>
#include <string_view>

#include "tracemesh/code_location.h"
#include "tracemesh/current_context.h"
#include "tracemesh/expected.h"
#include "tracemesh/tracer.h"

namespace tracemesh {

// Payload fields for MQTT 3.1.1 consumers; an empty name disables that field.
struct MqttPayloadFields {
  std::string trace_id = "trace_id";
  std::string span_id = "span_id";
};

struct MqttPublishOptions {
  int qos = 0;
  bool retain = false;
  // When set, the payload must be a JSON object; the fields are added to it
  // (replacing fields of the same names). A payload that is not a JSON
  // object is an error and nothing is published.
  std::optional<MqttPayloadFields> payload_fields;
};

// Publish `payload` to `topic` in a PRODUCER span under the current context.
// Return the message id, or an Error (invalid_input for a payload that
// cannot take the fields, transport_error when libmosquitto refuses). The
// span records `where` (the caller's call site; leave it defaulted) as
// code.file.path, code.line.number and code.function.name.
Expected<int> publish_traced(const Tracer& tracer, mosquitto* client, std::string_view topic,
                             std::string_view payload, const MqttPublishOptions& options = {},
                             CodeLocation where = CodeLocation::current());

struct MqttConsumeOptions {
  // Payload fields to read when no user property carries a context; nullopt: never read the
  // payload.
  std::optional<MqttPayloadFields> payload_fields = MqttPayloadFields{};
};

// A CONSUMER span for one received message, current for its lifetime.
class MqttConsumerSpan {
 public:
  // `properties` is what an on_message_v5 callback receives (may be null).
  MqttConsumerSpan(const Tracer& tracer, const mosquitto_message& message,
                   const mosquitto_property* properties, const MqttConsumeOptions& options = {});
  ~MqttConsumerSpan();
  MqttConsumerSpan(const MqttConsumerSpan&) = delete;
  MqttConsumerSpan& operator=(const MqttConsumerSpan&) = delete;

  Span& span() noexcept { return span_; }
  const Context& context() const noexcept { return context_; }
  // Return the format that supplied the context: a propagator name, "payload", or "" for none.
  std::string_view source() const noexcept { return source_; }

 private:
  Span span_;
  Context context_;
  std::string source_;
  std::optional<Scope> scope_;
};

// Run `handler()` in a MqttConsumerSpan for `message` and return its result;
// an exception marks the span as an error and propagates.
template <typename Handler>
decltype(auto) handle_traced_message(const Tracer& tracer, const mosquitto_message& message,
                                     const mosquitto_property* properties, Handler&& handler,
                                     const MqttConsumeOptions& options = {}) {
  MqttConsumerSpan consumer(tracer, message, properties, options);
  try {
    return std::forward<Handler>(handler)();
  } catch (const std::exception& error) {
    consumer.span().record_error("exception", error.what());
    throw;
  }
}

}  // namespace tracemesh
