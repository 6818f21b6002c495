// delivery-worker: delivers each alert twice, as a webhook over HTTP to
// `webhook-receiver` and as an MQTT message (a real broker) for
// `mqtt-consumer`. The webhook goes through the traced client; the MQTT
// message carries the trace in MQTT v5 user properties and in its JSON
// payload (trace_id, span_id), for consumers that only see the payload.
#include <unistd.h>

#include <string>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "fleet_service.h"
#include "http_service.h"
#include "mqtt_connection.h"
#include "tracemesh/mosquitto.h"

namespace {

constexpr std::string_view usage = R"(Usage: fleet-delivery-worker
Delivers alerts: POST /deliveries {"id", "device", ...} sends the webhook and
publishes fleet/alerts/DEVICE over MQTT; GET /healthz.

Environment:
  LISTEN         HOST:PORT to serve on (default 127.0.0.1:0, any free port)
  WEBHOOK_URL    the webhook-receiver service (default http://127.0.0.1:8084)
  WEBHOOK_TOKEN  the bearer token the webhook carries (default webhook-token)
  MQTT_HOST      the MQTT broker (default 127.0.0.1)
  MQTT_PORT      its port (default 1883)
  FLEET_BREAK    an edge to drop the trace context on, e.g.
                 delivery-worker->webhook-receiver or delivery-worker->mqtt-consumer
  OTEL_*         tracer and OTLP exporter settings
)";

constexpr int delivery_qos = 1;

class Deliveries {
 public:
  Deliveries(const tracemesh::Tracer& tracer, mosquitto* mqtt)
      : tracer_(tracer),
        dropping_(fleet::without_propagation(tracer)),
        clients_("delivery-worker", tracer),
        mqtt_(mqtt),
        webhook_url_(fleet::env_or("WEBHOOK_URL", "http://127.0.0.1:8084")),
        webhook_token_(fleet::env_or("WEBHOOK_TOKEN", "webhook-token")) {}

  void deliver(const httplib::Request& request, httplib::Response& response) const {
    const nlohmann::json alert = nlohmann::json::parse(request.body, nullptr, false);
    if (!alert.is_object() || !alert.contains("device") || !alert["device"].is_string())
      return fleet::reply(response, 400,
                          {{"error", "an alert is a JSON object with a string 'device'"}});

    auto webhook = clients_.to("webhook-receiver")
                       .post(webhook_url_ + "/hooks/alerts", request.body, "application/json",
                             {{"Authorization", "Bearer " + webhook_token_}});
    if (!fleet::succeeded("webhook-receiver", webhook, 200, response)) return;

    // A forgotten publisher sends neither user properties nor payload fields.
    const bool broken = fleet::is_broken_edge("delivery-worker", "mqtt-consumer");
    tracemesh::MqttPublishOptions options;
    options.qos = delivery_qos;
    if (!broken) options.payload_fields = tracemesh::MqttPayloadFields{};
    const std::string topic = "fleet/alerts/" + alert["device"].get<std::string>();
    auto published = tracemesh::publish_traced(broken ? dropping_ : tracer_, mqtt_, topic,
                                               request.body, options);
    if (!published)
      return fleet::reply(response, 502, {{"error", std::string(published.error().text())}});
    fleet::reply(response, 202,
                 {{"webhook_status", webhook->status}, {"mqtt_message_id", *published}});
  }

 private:
  tracemesh::Tracer tracer_;
  tracemesh::Tracer dropping_;
  fleet::Clients clients_;
  mosquitto* mqtt_;
  std::string webhook_url_;
  std::string webhook_token_;
};

}  // namespace

int main(int argc, char** argv) {
  if (const int code = fleet::handle_arguments(argc, argv, usage); code >= 0) return code;
  const sigset_t stop_signals = fleet::block_stop_signals();
  auto tracer = fleet::make_tracer("delivery-worker");
  if (!tracer) {
    fleet::log_line("invalid configuration: " + std::string(tracer.error().text()));
    return 1;
  }
  auto mqtt = fleet::MqttConnection::open("delivery-worker-" + std::to_string(getpid()));
  if (!mqtt) {
    fleet::log_line(std::string(mqtt.error().text()));
    return 1;
  }
  const Deliveries deliveries(*tracer, mqtt->get());
  httplib::Server server;
  fleet::instrument(server, *tracer);
  server.Post("/deliveries",
              [&deliveries](const httplib::Request& request, httplib::Response& response) {
                deliveries.deliver(request, response);
              });
  return fleet::serve(server, *tracer, stop_signals);
}
