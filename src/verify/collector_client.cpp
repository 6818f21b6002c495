#include "verify/collector_client.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "ingest/otlp_json_decoder.h"
#include "ingest/otlp_protobuf_decoder.h"
#include "verify/api_trace.h"
#include "verify/backend_trace_json.h"

namespace tracemesh::verify {

struct CollectorClient::State {
  std::string base_url;
  std::string prefix;  // a path before /api (Jaeger, Tempo behind a proxy)
  httplib::Client client;
  httplib::Headers headers;
  BackendOptions backend;
  // A Jaeger or Tempo trace's span count, and since when it has been that.
  std::map<std::string, std::pair<std::size_t, std::chrono::steady_clock::time_point>> seen;
  State(const std::string& origin, std::string path)
      : base_url(origin + path), prefix(std::move(path)), client(origin) {}
};

namespace {

std::string error_text(const httplib::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    return body["error"].get<std::string>();
  }
  // Jaeger's envelope: {"errors": [{"code", "msg"}]}.
  if (body.is_object() && body.contains("errors") && body["errors"].is_array() &&
      !body["errors"].empty() && body["errors"][0].is_object()) {
    return body["errors"][0].value("msg", "");
  }
  return response.body.substr(0, 200);
}

const char* backend_name(Backend backend) {
  switch (backend) {
    case Backend::jaeger:
      return "Jaeger";
    case Backend::tempo:
      return "Tempo";
    default:
      return "the collector";
  }
}

// A trace id as a backend may write it (Jaeger and Tempo drop leading zeros).
std::string full_trace_id(std::string id) {
  if (id.size() < 32) id.insert(0, 32 - id.size(), '0');
  return id;
}

// Tempo's logfmt tags: key=value, quoted when the value has a space or a quote.
void append_logfmt(std::string& out, const std::string& key, const std::string& value) {
  if (!out.empty()) out += ' ';
  out += key + '=';
  if (!value.empty() && value.find_first_of(" \t\"=\\") == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (const char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

Expected<std::string> get(httplib::Client& client, const std::string& base,
                          const std::string& target, const httplib::Headers& headers,
                          bool allow_not_found, const char* who = "the collector") {
  const auto response = client.Get(target, headers);
  if (!response) {
    return Error{ErrorCode::transport_error, "cannot reach " + std::string(who) + " at " + base +
                                                 ": " + httplib::to_string(response.error())};
  }
  if (response->status == 200 || (allow_not_found && response->status == 404)) {
    return response->status == 404 ? std::string() : response->body;
  }
  const std::string message = std::string(who) + " answered " + std::to_string(response->status) +
                              " to GET " + target + ": " + error_text(*response);
  if (response->status == 401 || response->status == 403 || response->status == 400) {
    return Error{ErrorCode::invalid_input, message};
  }
  return Error{ErrorCode::transport_error, message};
}

}  // namespace

CollectorClient::CollectorClient(std::unique_ptr<State> state) : state_(std::move(state)) {}
CollectorClient::CollectorClient(CollectorClient&&) noexcept = default;
CollectorClient& CollectorClient::operator=(CollectorClient&&) noexcept = default;
CollectorClient::~CollectorClient() = default;

Expected<CollectorClient> CollectorClient::connect(const std::string& base_url,
                                                   std::optional<std::string> token,
                                                   BackendOptions backend) {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  const std::size_t scheme = url.rfind("https://", 0) == 0  ? 8
                             : url.rfind("http://", 0) == 0 ? 7
                                                            : 0;
  const std::size_t path = scheme == 0 ? std::string::npos : url.find('/', scheme);
  const bool tracemesh = backend.backend == Backend::tracemesh;
  if (scheme == 0 || url.size() <= scheme || path == scheme ||
      (tracemesh && path != std::string::npos)) {
    if (!tracemesh) {
      return Error{ErrorCode::invalid_input,
                   std::string(backend.backend == Backend::jaeger ? "--jaeger '" : "--tempo '") +
                       base_url + "' must be http(s)://HOST:PORT, with an optional path"};
    }
    return Error{ErrorCode::invalid_input,
                 "--collector '" + base_url +
                     "' must be http://HOST:PORT or https://HOST:PORT "
                     "(the collector's query listener, e.g. http://127.0.0.1:16686)"};
  }
  auto state = std::make_unique<State>(
      url.substr(0, path), path == std::string::npos ? std::string() : url.substr(path));
  state->backend = backend;
  state->client.set_connection_timeout(2, 0);
  state->client.set_read_timeout(30, 0);
  if (token) state->headers.emplace("Authorization", "Bearer " + *token);
  return CollectorClient(std::move(state));
}

void CollectorClient::set_timeout(std::chrono::milliseconds timeout) {
  const auto bounded = std::max(timeout, std::chrono::milliseconds(100));
  state_->client.set_connection_timeout(std::min(bounded, std::chrono::milliseconds(2000)));
  state_->client.set_read_timeout(bounded);
}

Expected<std::optional<model::Trace>> CollectorClient::trace(const std::string& trace_id) {
  if (state_->backend.backend != Backend::tracemesh) return backend_trace(trace_id);
  auto body =
      get(state_->client, state_->base_url, "/api/traces/" + trace_id, state_->headers, true);
  if (!body) return body.error();
  if (body->empty()) return std::optional<model::Trace>();
  auto parsed = read_api_trace(*body);
  if (!parsed) return parsed.error();
  return std::optional<model::Trace>(std::move(*parsed));
}

Expected<std::optional<model::Trace>> CollectorClient::backend_trace(const std::string& trace_id) {
  State& state = *state_;
  const Backend backend = state.backend.backend;
  const char* who = backend_name(backend);
  httplib::Headers headers = state.headers;
  // Tempo answers protobuf when asked: the OTLP shape our decoder reads as it is.
  if (backend == Backend::tempo) headers.emplace("Accept", "application/protobuf");
  auto body = get(state.client, state.base_url, state.prefix + "/api/traces/" + trace_id, headers,
                  true, who);
  if (!body) return body.error();
  if (body->empty()) return std::optional<model::Trace>();
  ingest::DecodeLimits limits;
  limits.max_spans = 5'000'000;
  Expected<ingest::DecodedBatch> decoded = Error{ErrorCode::invalid_input, ""};
  if (backend == Backend::tempo) {
    decoded = ingest::decode_otlp_protobuf(*body, limits);
  } else {
    const auto parsed = nlohmann::json::parse(*body, nullptr, false);
    if (!parsed.is_object() || !parsed.contains("data") || !parsed["data"].is_array() ||
        parsed["data"].empty()) {
      return Error{ErrorCode::transport_error, "Jaeger's answer to GET /api/traces/" + trace_id +
                                                   " is not {\"data\": [trace]}"};
    }
    auto converted = jaeger_trace_to_otlp_json(parsed["data"][0]);
    if (!converted) return converted.error();
    decoded = ingest::decode_otlp_json(*converted, limits);
  }
  if (!decoded) {
    return Error{ErrorCode::transport_error,
                 std::string(who) + "'s trace " + trace_id +
                     " cannot be read: " + std::string(decoded.error().text())};
  }
  model::Trace trace;
  const auto id = TraceId::from_hex(full_trace_id(trace_id));
  if (!id) return Error{ErrorCode::invalid_input, "a trace id is up to 32 hex digits"};
  trace.trace_id = *id;
  std::unordered_set<SpanId, model::IdHash> seen;
  for (auto& span : decoded->spans) {
    if (span.trace_id == *id && seen.insert(span.span_id).second) {
      trace.spans.push_back(std::move(span));
    }
  }
  std::sort(trace.spans.begin(), trace.spans.end(),
            [](const auto& a, const auto& b) { return a.start_unix_nano < b.start_unix_nano; });
  // Settled once its span count held for the quiet period: the backend does not say.
  const auto now = std::chrono::steady_clock::now();
  auto [entry, first] = state.seen.try_emplace(trace_id, trace.spans.size(), now);
  if (!first && entry->second.first != trace.spans.size())
    entry->second = {trace.spans.size(), now};
  const auto quiet = std::chrono::nanoseconds(state.backend.quiet_nanos);
  trace.verdict = model::analyze_trace(trace.spans, 0, state.backend.integrity.grace_nanos,
                                       state.backend.integrity);
  if (now - entry->second.second < quiet) trace.verdict.state = model::TraceState::arriving;
  return std::optional<model::Trace>(std::move(trace));
}

Expected<std::vector<std::string>> CollectorClient::backend_search(
    const TraceSelector& selector, std::optional<std::uint64_t> start_after_unix_nano,
    std::size_t limit) {
  State& state = *state_;
  httplib::Params params;
  std::string target;
  if (state.backend.backend == Backend::jaeger) {
    if (selector.root_service.empty()) {
      return Error{ErrorCode::invalid_input,
                   "with --jaeger, select traces by --root-service (or a trace id): Jaeger's "
                   "search needs a service"};
    }
    params.emplace("service", selector.root_service);
    if (!selector.root_operation.empty()) params.emplace("operation", selector.root_operation);
    if (!selector.attributes.empty()) {
      nlohmann::json tags = nlohmann::json::object();
      for (const auto& [key, value] : selector.attributes) tags[key] = value;
      params.emplace("tags", tags.dump());
    }
    if (start_after_unix_nano)
      params.emplace("start", std::to_string(*start_after_unix_nano / 1000));
    params.emplace("limit", std::to_string(limit));
    target = state.prefix + "/api/traces";
  } else {
    std::string tags;
    if (!selector.root_service.empty()) append_logfmt(tags, "service.name", selector.root_service);
    if (!selector.root_operation.empty()) append_logfmt(tags, "name", selector.root_operation);
    for (const auto& [key, value] : selector.attributes) append_logfmt(tags, key, value);
    if (!tags.empty()) params.emplace("tags", tags);
    if (start_after_unix_nano) {
      // Tempo wants both ends, in seconds.
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
      params.emplace("start", std::to_string(*start_after_unix_nano / 1'000'000'000));
      params.emplace("end", std::to_string(now + 60));
    }
    params.emplace("limit", std::to_string(limit));
    target = state.prefix + "/api/search";
  }
  const char* who = backend_name(state.backend.backend);
  auto body = get(state.client, state.base_url, httplib::append_query_params(target, params),
                  state.headers, false, who);
  if (!body) return body.error();
  const auto parsed = nlohmann::json::parse(*body, nullptr, false);
  const char* list = state.backend.backend == Backend::jaeger ? "data" : "traces";
  if (!parsed.is_object() || !parsed.contains(list) || !parsed[list].is_array()) {
    return Error{ErrorCode::transport_error, std::string(who) + "'s search answer has no " + list};
  }
  std::vector<std::string> ids;
  for (const auto& found : parsed[list]) {
    if (found.is_object() && found.contains("traceID") && found["traceID"].is_string()) {
      ids.push_back(full_trace_id(found["traceID"].get<std::string>()));
    }
  }
  return ids;
}

Expected<std::vector<std::string>> CollectorClient::search(
    const TraceSelector& selector, std::optional<std::uint64_t> start_after_unix_nano,
    std::size_t limit) {
  if (state_->backend.backend != Backend::tracemesh) {
    return backend_search(selector, start_after_unix_nano, limit);
  }
  httplib::Params params;
  if (!selector.root_service.empty()) params.emplace("root_service", selector.root_service);
  if (!selector.root_operation.empty()) params.emplace("root_operation", selector.root_operation);
  for (const auto& [key, value] : selector.attributes) params.emplace("attr", key + "=" + value);
  if (start_after_unix_nano) params.emplace("start", std::to_string(*start_after_unix_nano));
  params.emplace("limit", std::to_string(limit));
  auto body = get(state_->client, state_->base_url,
                  httplib::append_query_params("/api/traces", params), state_->headers, false);
  if (!body) return body.error();
  const auto parsed = nlohmann::json::parse(*body, nullptr, false);
  if (!parsed.is_object() || !parsed.contains("traces") || !parsed["traces"].is_array()) {
    return Error{ErrorCode::transport_error, "the collector's search answer is not {traces:[...]}"};
  }
  std::vector<std::string> ids;
  for (const auto& summary : parsed["traces"]) {
    if (summary.is_object() && summary.contains("trace_id") && summary["trace_id"].is_string()) {
      ids.push_back(summary["trace_id"].get<std::string>());
    }
  }
  return ids;
}

}  // namespace tracemesh::verify
