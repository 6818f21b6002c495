#include "collector/collector.h"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "collector/bearer_token.h"
#include "collector/edge_counters.h"
#include "collector/event_monitor.h"
#include "collector/grpc/otlp_grpc_service.h"
#include "collector/http/ingest_counters.h"
#include "collector/http/ingest_handler.h"
#include "collector/http/jaeger_api.h"
#include "collector/http/metrics_text.h"
#include "collector/http/request_counters.h"
#include "collector/http/search_api.h"
#include "collector/http/tempo_api.h"
#include "collector/http/trace_query.h"
#include "collector/http/ui_assets.h"
#include "collector/store/trace_search.h"
#include "report/json_writer.h"

namespace tracemesh::collector {
namespace {

bool authorized(const httplib::Request& request, const std::optional<std::string>& token) {
  return bearer_token_matches(request.get_header_value("Authorization"), token);
}

void send(httplib::Response& response, const IngestAnswer& answer, int retry_after_seconds) {
  response.status = answer.status;
  if (answer.retry_after) response.set_header("Retry-After", std::to_string(retry_after_seconds));
  response.set_content(answer.body, answer.content_type);
}

// SO_REUSEADDR only: cpp-httplib's default SO_REUSEPORT would let a second
// collector bind the same port and silently share its traffic.
void exclusive_port(socket_t socket) {
  int yes = 1;
  setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
}

int bind_listener(httplib::Server& server, const Listen& listen) {
  server.set_socket_options(exclusive_port);
  // Without it, Nagle's algorithm and delayed ACKs add ~40 ms to keep-alive answers.
  server.set_tcp_nodelay(true);
  if (listen.port == 0) return std::max(server.bind_to_any_port(listen.host), 0);
  return server.bind_to_port(listen.host, listen.port) ? listen.port : 0;
}

}  // namespace

struct Collector::State {
  CollectorOptions options;
  std::unique_ptr<SpanStore> store;
  IngestCounters counters;
  RequestCounters requests;
  std::unique_ptr<EdgeCounters> edges;
  std::unique_ptr<LogTailer> tailer;  // destroyed before the store and the counters
  httplib::Server otlp;
  httplib::Server http;
  std::unique_ptr<GrpcServer> grpc;  // when options.grpc
  int otlp_port = 0;
  int http_port = 0;
  std::thread otlp_thread;
  std::thread http_thread;
  std::thread grpc_thread;
  std::mutex stop_mutex;
  std::atomic<bool> otlp_done{false};
  std::atomic<bool> http_done{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> failed{false};
  // The event log's watcher (event_monitor.h); stopped before the store closes.
  std::unique_ptr<EventMonitor> monitor;

  // A listener returned: unless asked to, the collector cannot serve, so stop the other one too.
  void listener_ended() {
    if (stopping) return;
    failed = true;
    otlp.stop();
    http.stop();
    if (grpc) grpc->stop();
  }

  // OTLP/gRPC, answered as OTLP/HTTP protobuf is (otlp_grpc_service.h).
  Expected<void> bind_grpc() {
    if (!options.grpc) return {};
    GrpcServerLimits limits;
    limits.max_body_bytes = options.max_body_bytes;
    limits.max_connections = options.max_grpc_connections;
    OtlpGrpcSettings settings;
    settings.max_decompressed_bytes = options.max_decompressed_bytes;
    settings.decode = options.decode;
    settings.retry_after_seconds = options.retry_after_seconds;
    settings.ingest_token = options.ingest_token;
    auto server = GrpcServer::bind(
        options.grpc->host, options.grpc->port, limits, [this, settings](const GrpcCall& call) {
          GrpcReply reply = answer_otlp_grpc(call, *store, settings, counters);
          requests.count_grpc(call.path, reply.code);
          return reply;
        });
    if (!server) return server.error();
    grpc = std::move(*server);
    return {};
  }

  void add_otlp_routes() {
    otlp.set_payload_max_length(options.max_body_bytes);
    otlp.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
      requests.count_http("otlp", request.path, response.status);
    });
    add_probes(otlp);
    otlp.Post("/v1/traces", [this](const httplib::Request& request, httplib::Response& response,
                                   const httplib::ContentReader& reader) {
      receive(request, response, reader, Format::otlp);
    });
    otlp.Post("/v1/logs", [this](const httplib::Request& request, httplib::Response& response,
                                 const httplib::ContentReader& reader) {
      receive(request, response, reader, Format::otlp_logs);
    });
    // SDKs export metrics by default: a 404 would fill their logs with errors.
    otlp.Post("/v1/metrics", [this](const httplib::Request& request, httplib::Response& response,
                                    const httplib::ContentReader& reader) {
      receive(request, response, reader, Format::otlp_metrics);
    });
    otlp.Post("/api/v2/spans", [this](const httplib::Request& request, httplib::Response& response,
                                      const httplib::ContentReader& reader) {
      receive(request, response, reader, Format::zipkin);
    });
    otlp.set_error_handler([](const httplib::Request&, httplib::Response& response) {
      if (!response.body.empty()) return;
      if (response.status == 413) {
        response.set_content(status_json(3, "request body over the collector's limit"),
                             "application/json");
      } else if (response.status == 404) {
        response.set_content(
            status_json(5, "not found: OTLP traces go to POST /v1/traces, logs to POST /v1/logs"),
            "application/json");
      }
    });
  }

  enum class Format { otlp, otlp_logs, otlp_metrics, zipkin };

  void receive(const httplib::Request& request, httplib::Response& response,
               const httplib::ContentReader& reader, Format format) {
    const auto encoding = format == Format::zipkin
                              ? std::optional<BodyEncoding>(BodyEncoding::json)
                              : body_encoding(request.get_header_value("Content-Type"));
    const BodyEncoding answer_encoding = encoding.value_or(BodyEncoding::json);
    if (!authorized(request, options.ingest_token)) {
      ++counters.requests_unauthorized;
      send(response, error_answer(401, "missing or wrong bearer token", answer_encoding), 0);
      return;
    }
    if (!encoding) {
      send(response,
           error_answer(415, "Content-Type must be application/x-protobuf or application/json",
                        answer_encoding),
           0);
      return;
    }
    // The limit applies to what was sent and, for gzip, to what it expands to.
    const std::string content_encoding = request.get_header_value("Content-Encoding");
    const bool compressed =
        content_encoding == "gzip" || content_encoding == "deflate" || content_encoding == "br";
    const std::size_t limit = compressed ? options.max_decompressed_bytes : options.max_body_bytes;
    std::string body;
    bool too_large = false;
    const bool read = reader([&](const char* data, std::size_t length) {
      if (body.size() + length > limit) {
        too_large = true;
        return false;
      }
      body.append(data, length);
      return true;
    });
    // cpp-httplib itself refuses a Content-Length over the payload limit, marking the response 413.
    if (too_large || (!read && response.status == 413)) {
      ++counters.requests_too_large;
      send(
          response,
          error_answer(
              413, "request body over the collector's limit of " + std::to_string(limit) + " bytes",
              *encoding),
          0);
      return;
    }
    if (!read) {
      ++counters.requests_malformed;
      send(response,
           error_answer(400, "could not read the request body (bad chunking or gzip)", *encoding),
           0);
      return;
    }
    if (format == Format::otlp_metrics) {
      send(response, drop_metrics(*encoding, counters), 0);
      return;
    }
    if (format == Format::otlp_logs) {
      send(response, ingest_otlp_logs(body, *encoding, *store, options.decode, counters),
           options.retry_after_seconds);
      return;
    }
    send(response,
         format == Format::zipkin ? ingest_zipkin(body, *store, options.decode, counters)
                                  : ingest_otlp(body, *encoding, *store, options.decode, counters),
         options.retry_after_seconds);
  }

  void add_http_routes() {
    http.set_logger([this](const httplib::Request& request, const httplib::Response& response) {
      requests.count_http("query", request.path, response.status);
    });
    // The web UI: static files, no data in them, so no token; its API calls
    // carry the token. The policy lets the page load only its own files.
    for (const UiAsset& asset : ui_assets()) {
      std::string pattern;
      for (const char c : asset.path) {
        if (c == '.') pattern += '\\';
        pattern += c;
      }
      http.Get(pattern, [asset](const httplib::Request&, httplib::Response& response) {
        response.set_header("Content-Security-Policy",
                            "default-src 'none'; script-src 'self'; style-src 'self'; "
                            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                            "form-action 'none'; frame-ancestors 'none'");
        response.set_header("X-Content-Type-Options", "nosniff");
        response.set_header("Referrer-Policy", "no-referrer");
        response.set_header("Cache-Control", "no-cache");
        response.set_content(asset.body.data(), asset.body.size(), std::string(asset.content_type));
      });
    }
    http.Get(R"(/api/traces/([^/]+))",
             [this](const httplib::Request& request, httplib::Response& response) {
               if (!query_allowed(request, response)) return;
               const QueryAnswer answer =
                   query_trace(request.matches[1].str(), *store, options.store.integrity);
               response.status = answer.status;
               response.set_content(answer.body, "application/json");
             });
    add_probes(http);
    add_jaeger_routes();
    add_tempo_routes();
    http.Get("/api/logs", [this](const httplib::Request& request, httplib::Response& response) {
      if (!query_allowed(request, response)) return;
      const QueryAnswer answer = query_logs(request.get_param_value("trace_id"), *store);
      response.status = answer.status;
      response.set_content(answer.body, "application/json");
    });
    http.Get("/api/traces", [this](const httplib::Request& request, httplib::Response& response) {
      if (!query_allowed(request, response)) return;
      reply(response, answer_search(parse_query_params(request.target), *store));
    });
    http.Get("/api/services", [this](const httplib::Request& request, httplib::Response& response) {
      if (!query_allowed(request, response)) return;
      reply(response, answer_services(*store));
    });
    http.Get(R"(/api/services/([^/]+)/operations)",
             [this](const httplib::Request& request, httplib::Response& response) {
               if (!query_allowed(request, response)) return;
               reply(response, answer_operations(request.matches[1].str(), *store));
             });
    http.Get("/api/graph", [this](const httplib::Request& request, httplib::Response& response) {
      if (!query_allowed(request, response)) return;
      reply(response, answer_graph(parse_query_params(request.target), *store));
    });
    http.Get("/api/hops", [this](const httplib::Request& request, httplib::Response& response) {
      if (!query_allowed(request, response)) return;
      reply(response, answer_hops(parse_query_params(request.target), *store));
    });
    http.Get("/api/map", [this](const httplib::Request& request, httplib::Response& response) {
      if (!query_allowed(request, response)) return;
      if (!options.map_report) {
        reply(response, query_error(404,
                                    "no repository to join: start the collector with "
                                    "--repo PATH (docs/map.md)"));
        return;
      }
      const QueryAnswer hops = answer_hops(parse_query_params(request.target), *store);
      if (hops.status != 200) {
        reply(response, hops);
        return;
      }
      const auto map = options.map_report(hops.body);
      reply(response, map ? QueryAnswer{200, *map} : query_error(500, map.error().text()));
    });
    http.Get("/metrics", [this](const httplib::Request& request, httplib::Response& response) {
      if (!query_allowed(request, response)) return;
      const auto traces = count_traces_by_integrity(*store);
      std::string text =
          metrics_text(counters, store->stats(),
                       traces ? *traces : std::vector<std::pair<std::string, std::int64_t>>{});
      requests.append_metrics(text);
      edges->append_metrics(*store, store->now_unix_nano(), text);
      text +=
          "# HELP tracemesh_build_info The collector's version (the value is always 1).\n"
          "# TYPE tracemesh_build_info gauge\ntracemesh_build_info{version=\"" +
          prometheus_label(options.version) + "\"} 1\n";
      response.set_content(text, "text/plain; version=0.0.4");
    });
  }

  // Probes, on both listeners (a load balancer in front of OTLP checks its
  // port): no token, no data. Live unless the store needs a restart (a failed
  // log sync); ready while it takes writes.
  void add_probes(httplib::Server& server) {
    server.Get("/healthz", [this](const httplib::Request&, httplib::Response& response) {
      const StoreHealth health = store->health();
      report::JsonWriter json(report::JsonWriter::Layout::compact);
      json.begin_object().field("status", health.needs_restart ? "failed" : "live");
      if (health.needs_restart) json.field("reason", health.problem);
      json.end_object();
      response.status = health.needs_restart ? 503 : 200;
      response.set_content(json.take(), "application/json");
    });
    server.Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
      const StoreHealth health = store->health();
      report::JsonWriter json(report::JsonWriter::Layout::compact);
      json.begin_object().field("status", health.ready ? "ready" : "not ready");
      if (!health.ready) json.field("reason", health.problem);
      json.end_object();
      response.status = health.ready ? 200 : 503;
      response.set_content(json.take(), "application/json");
    });
  }

  // Grafana's Jaeger data source and the Jaeger UI (jaeger_api.h); the query token applies.
  void add_jaeger_routes() {
    const auto route = [this](const char* pattern, auto answer) {
      http.Get(pattern,
               [this, answer](const httplib::Request& request, httplib::Response& response) {
                 if (!authorized(request, options.query_token)) {
                   reply(response, jaeger_error(401, "missing or wrong bearer token"));
                   return;
                 }
                 reply(response, answer(request));
               });
    };
    route("/jaeger/api/services",
          [this](const httplib::Request&) { return jaeger_services(*store); });
    route(R"(/jaeger/api/services/([^/]+)/operations)", [this](const httplib::Request& request) {
      return jaeger_service_operations(request.matches[1].str(), *store);
    });
    route("/jaeger/api/operations", [this](const httplib::Request& request) {
      return jaeger_operations(parse_query_params(request.target), *store);
    });
    route(R"(/jaeger/api/traces/([^/]+))", [this](const httplib::Request& request) {
      return jaeger_trace(request.matches[1].str(), *store, options.store.integrity);
    });
    route("/jaeger/api/traces", [this](const httplib::Request& request) {
      return jaeger_search(parse_query_params(request.target), *store, options.store.integrity);
    });
    route("/jaeger/api/dependencies", [this](const httplib::Request& request) {
      return jaeger_dependencies(parse_query_params(request.target), *store);
    });
  }

  // Grafana's Tempo data source (tempo_api.h); the query token applies.
  void add_tempo_routes() {
    const auto route = [this](const std::string& pattern, auto answer) {
      http.Get(pattern,
               [this, answer](const httplib::Request& request, httplib::Response& response) {
                 if (!authorized(request, options.query_token)) {
                   reply(response, QueryAnswer{401, "missing or wrong bearer token\n",
                                               "text/plain; charset=utf-8"});
                   return;
                 }
                 reply(response, answer(request));
               });
    };
    route("/tempo/api/echo", [](const httplib::Request&) {
      return QueryAnswer{200, "echo", "text/plain; charset=utf-8"};
    });
    for (const auto& [prefix, version] :
         {std::pair{std::string("/tempo/api"), TempoVersion::v1},
          std::pair{std::string("/tempo/api/v2"), TempoVersion::v2}}) {
      const TempoVersion v = version;
      route((prefix + R"(/traces/([^/]+))"), [this, v](const httplib::Request& request) {
        return tempo_trace(request.matches[1].str(), request.get_header_value("Accept"), v, *store);
      });
      route((prefix + "/search/tags"),
            [this, v](const httplib::Request&) { return tempo_search_tags(v, *store); });
      route((prefix + R"(/search/tag/([^/]+)/values)"), [this, v](const httplib::Request& request) {
        return tempo_tag_values(request.matches[1].str(), v, *store);
      });
    }
    route("/tempo/api/search", [this](const httplib::Request& request) {
      return tempo_search(parse_query_params(request.target), *store);
    });
  }

  static void reply(httplib::Response& response, const QueryAnswer& answer) {
    response.status = answer.status;
    response.set_content(answer.body, answer.content_type);
  }

  bool query_allowed(const httplib::Request& request, httplib::Response& response) const {
    if (authorized(request, options.query_token)) return true;
    reply(response, query_error(401, "missing or wrong bearer token"));
    return false;
  }
};

Expected<std::unique_ptr<Collector>> Collector::start(CollectorOptions options) {
  options.store.directory = options.data_directory;
  auto store = SpanStore::open(options.store);
  if (!store) return store.error();
  auto state = std::make_unique<State>();
  state->options = std::move(options);
  state->store = std::move(*store);
  // A call is counted once its trace has settled: twice the grace period and a second.
  state->edges = std::make_unique<EdgeCounters>(
      state->store->now_unix_nano(),
      2 * state->options.store.integrity.grace_nanos + 1'000'000'000);
  state->add_otlp_routes();
  state->add_http_routes();
  state->otlp_port = bind_listener(state->otlp, state->options.otlp);
  if (state->otlp_port == 0) {
    return Error{ErrorCode::io_error, "cannot listen on " + state->options.otlp.host + ":" +
                                          std::to_string(state->options.otlp.port) + " (OTLP)"};
  }
  state->http_port = bind_listener(state->http, state->options.http);
  if (state->http_port == 0) {
    return Error{ErrorCode::io_error, "cannot listen on " + state->options.http.host + ":" +
                                          std::to_string(state->options.http.port) + " (query)"};
  }
  if (auto grpc = state->bind_grpc(); !grpc) return grpc.error();
  if (!state->options.log_files.empty()) {
    state->tailer =
        std::make_unique<LogTailer>(*state->store, state->counters, state->options.log_files);
  }
  State* raw = state.get();
  state->otlp_thread = std::thread([raw] {
    raw->otlp.listen_after_bind();
    raw->otlp_done = true;
    raw->listener_ended();
  });
  state->http_thread = std::thread([raw] {
    raw->http.listen_after_bind();
    raw->http_done = true;
    raw->listener_ended();
  });
  if (state->options.log) {
    EventLog::Fields fields = {
        {"version", state->options.version},
        {"otlp", state->options.otlp.host + ":" + std::to_string(state->otlp_port)},
        {"query", state->options.http.host + ":" + std::to_string(state->http_port)},
        {"data", state->options.data_directory.string()}};
    if (state->grpc) {
      fields.emplace_back("otlp_grpc",
                          state->options.grpc->host + ":" + std::to_string(state->grpc->port()));
    }
    state->options.log->write("info", "collector started", fields);
    state->monitor =
        std::make_unique<EventMonitor>(*state->store, state->counters, *state->options.log);
  }
  if (state->grpc) {
    state->grpc_thread = std::thread([raw] {
      raw->grpc->serve();
      raw->listener_ended();
    });
  }
  return std::unique_ptr<Collector>(new Collector(std::move(state)));
}

Collector::Collector(std::unique_ptr<State> state) : state_(std::move(state)) {}

Collector::~Collector() {
  stop();
  wait();
}

int Collector::otlp_port() const noexcept {
  return state_->otlp_port;
}
int Collector::http_port() const noexcept {
  return state_->http_port;
}
int Collector::grpc_port() const noexcept {
  return state_->grpc ? state_->grpc->port() : 0;
}

void Collector::stop() {
  std::lock_guard lock(state_->stop_mutex);
  state_->stopping = true;
  if (state_->grpc) state_->grpc->stop();
  // Server::stop() does nothing before listen_after_bind has started: repeat until both returned.
  while (!state_->otlp_done || !state_->http_done) {
    state_->otlp.stop();
    state_->http.stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

bool Collector::failed() const noexcept {
  return state_->failed;
}

void Collector::wait() {
  if (state_->otlp_thread.joinable()) state_->otlp_thread.join();
  if (state_->http_thread.joinable()) state_->http_thread.join();
  if (state_->grpc_thread.joinable()) state_->grpc_thread.join();
  state_->monitor.reset();
}

}  // namespace tracemesh::collector
