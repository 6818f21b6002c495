// mqtt-consumer: consumes the fleet's alerts from MQTT (fleet/alerts/#), each
// message in a CONSUMER span whose parent is the publisher's span (from the
// MQTT v5 user properties, else the payload's trace_id/span_id). Serves
// GET /healthz for the ops worker.
#include <unistd.h>

#include <atomic>
#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "fleet_service.h"
#include "http_service.h"
#include "mqtt_connection.h"
#include "tracemesh/mosquitto.h"

namespace {

constexpr std::string_view usage = R"(Usage: fleet-mqtt-consumer
Consumes alerts published on fleet/alerts/# and logs each with its trace id;
GET /healthz.

Environment:
  LISTEN     HOST:PORT for the health endpoint (default 127.0.0.1:0, any free port)
  MQTT_HOST  the MQTT broker (default 127.0.0.1)
  MQTT_PORT  its port (default 1883)
  OTEL_*     tracer and OTLP exporter settings
)";

constexpr const char* alerts_topic = "fleet/alerts/#";
constexpr int subscribe_qos = 1;

struct Consumer {
  tracemesh::Tracer tracer;
  std::atomic<unsigned> consumed{0};
};

// The broker's SUBACK: only now are messages for the topic delivered (the
// launcher waits for this line before the fleet counts as up).
void on_subscribed(mosquitto*, void*, int, int granted_count, const int* granted,
                   const mosquitto_property*) {
  constexpr int refused = 0x80;
  if (granted_count < 1 || granted[0] >= refused) {
    fleet::log_line(std::string("the broker refused the subscription to ") + alerts_topic);
    return;
  }
  fleet::log_line(std::string("subscribed to ") + alerts_topic);
}

void on_connect(mosquitto* client, void*, int result, int, const mosquitto_property*) {
  if (result != 0) {
    fleet::log_line(std::string("MQTT connection refused: ") + mosquitto_reason_string(result));
    return;
  }
  if (const int code =
          mosquitto_subscribe_v5(client, nullptr, alerts_topic, subscribe_qos, 0, nullptr);
      code != MOSQ_ERR_SUCCESS)
    fleet::log_line(std::string("cannot subscribe: ") + mosquitto_strerror(code));
}

void on_message(mosquitto*, void* user_data, const mosquitto_message* message,
                const mosquitto_property* properties) {
  auto& consumer = *static_cast<Consumer*>(user_data);
  tracemesh::handle_traced_message(consumer.tracer, *message, properties, [&] {
    const std::string_view payload(static_cast<const char*>(message->payload),
                                   static_cast<std::size_t>(message->payloadlen));
    const nlohmann::json alert = nlohmann::json::parse(payload, nullptr, false);
    const std::string id = alert.is_object() && alert.contains("id") && alert["id"].is_string()
                               ? alert["id"].get<std::string>()
                               : "(no id)";
    ++consumer.consumed;
    fleet::log_line(std::string("consumed ") + message->topic + " " + id + " trace " +
                    tracemesh::current_context().span_context().trace_id.to_hex());
  });
}

}  // namespace

int main(int argc, char** argv) {
  if (const int code = fleet::handle_arguments(argc, argv, usage); code >= 0) return code;
  const sigset_t stop_signals = fleet::block_stop_signals();
  auto tracer = fleet::make_tracer("mqtt-consumer");
  if (!tracer) {
    fleet::log_line("invalid configuration: " + std::string(tracer.error().text()));
    return 1;
  }
  Consumer consumer{*tracer};
  auto mqtt = fleet::MqttConnection::open("mqtt-consumer-" + std::to_string(getpid()), &consumer,
                                          {on_connect, on_subscribed, on_message});
  if (!mqtt) {
    fleet::log_line(std::string(mqtt.error().text()));
    return 1;
  }
  httplib::Server server;
  fleet::instrument(server, *tracer);
  return fleet::serve(server, *tracer, stop_signals);
}
