// ui: the fleet's public API (cpp-httplib + tracemesh middleware).
//
// POST /api/alerts checks the caller's bearer token with `auth`, asks
// `agent` to enrich the alert, then hands it to `delivery-worker`; every
// call goes through the traced client, so all of them land in the trace the
// middleware started (or continued) for the request. Its own log lines are
// JSON through spdlog and tracemesh::JsonLinesFormatter, each with the
// request's trace id: what `tracemesh verify --logs` reads.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include <httplib.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "fleet_service.h"
#include "http_service.h"
#include "tracemesh/current_context.h"
#include "tracemesh/spdlog.h"

namespace {

constexpr std::string_view usage = R"(Usage: fleet-ui
The fleet's public API. POST /api/alerts {"device", "severity", "message"}
with "Authorization: Bearer TOKEN"; GET /healthz.

Environment:
  LISTEN        HOST:PORT to serve on (default 127.0.0.1:0, any free port)
  AUTH_URL      the auth service (default http://127.0.0.1:8081)
  AGENT_URL     the agent service (default http://127.0.0.1:8082)
  DELIVERY_URL  the delivery-worker service (default http://127.0.0.1:8083)
  FLEET_BREAK   an edge to drop the trace context on, e.g. ui->auth
  OTEL_*        tracer and OTLP exporter settings
)";

// The alert as sent, or an error message.
std::string check_alert(const nlohmann::json& alert) {
  if (!alert.is_object()) return "the body must be a JSON object";
  for (const char* field : {"device", "severity", "message"}) {
    if (!alert.contains(field) || !alert[field].is_string() ||
        alert[field].get<std::string>().empty())
      return std::string("field '") + field + "' must be a non-empty string";
  }
  return {};
}

// A logger writing JSON lines to stderr, each with the current trace id.
std::shared_ptr<spdlog::logger> json_logger(const std::string& service) {
  auto logger = spdlog::stderr_logger_mt(service);
  logger->set_formatter(std::make_unique<tracemesh::JsonLinesFormatter>(service));
  return logger;
}

class AlertsApi {
 public:
  explicit AlertsApi(const tracemesh::Tracer& tracer)
      : log_(json_logger("ui")),
        clients_("ui", tracer),
        auth_url_(fleet::env_or("AUTH_URL", "http://127.0.0.1:8081")),
        agent_url_(fleet::env_or("AGENT_URL", "http://127.0.0.1:8082")),
        delivery_url_(fleet::env_or("DELIVERY_URL", "http://127.0.0.1:8083")) {}

  void post_alert(const httplib::Request& request, httplib::Response& response) {
    nlohmann::json alert = nlohmann::json::parse(request.body, nullptr, false);
    if (const std::string problem = check_alert(alert); !problem.empty()) {
      log_->warn("alert refused: {}", problem);
      return fleet::reply(response, 400, {{"error", problem}});
    }
    log_->info("alert from {} ({})", alert["device"].get<std::string>(),
               alert["severity"].get<std::string>());

    auto verdict =
        clients_.to("auth").post(auth_url_ + "/verify", "", "text/plain",
                                 {{"Authorization", request.get_header_value("Authorization")}});
    if (verdict && verdict->status == 401)
      return fleet::reply(response, 401, {{"error", "invalid token"}});
    if (!fleet::succeeded("auth", verdict, 200, response)) return;

    alert["id"] = "alert-" + std::to_string(++next_id_);
    auto enriched =
        clients_.to("agent").post(agent_url_ + "/v1/enrich", alert.dump(), "application/json");
    if (!fleet::succeeded("agent", enriched, 200, response)) return;

    auto delivered = clients_.to("delivery-worker")
                         .post(delivery_url_ + "/deliveries", enriched->body, "application/json");
    if (!fleet::succeeded("delivery-worker", delivered, 202, response)) return;

    const std::string trace_id = tracemesh::current_context().span_context().trace_id.to_hex();
    log_->info("{} handed to delivery-worker", alert["id"].get<std::string>());
    fleet::reply(response, 201, {{"id", alert["id"]}, {"trace_id", trace_id}});
  }

 private:
  std::shared_ptr<spdlog::logger> log_;
  fleet::Clients clients_;
  std::string auth_url_;
  std::string agent_url_;
  std::string delivery_url_;
  std::atomic<unsigned> next_id_{0};
};

}  // namespace

int main(int argc, char** argv) {
  if (const int code = fleet::handle_arguments(argc, argv, usage); code >= 0) return code;
  const sigset_t stop_signals = fleet::block_stop_signals();
  auto tracer = fleet::make_tracer("ui");
  if (!tracer) {
    fleet::log_line("invalid configuration: " + std::string(tracer.error().text()));
    return 1;
  }
  AlertsApi api(*tracer);
  httplib::Server server;
  fleet::instrument(server, *tracer);
  server.Post("/api/alerts", [&api](const httplib::Request& request, httplib::Response& response) {
    api.post_alert(request, response);
  });
  return fleet::serve(server, *tracer, stop_signals);
}
