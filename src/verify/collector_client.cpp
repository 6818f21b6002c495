#include "verify/collector_client.h"

#include <httplib.h>

#include <nlohmann/json.hpp>

#include "verify/api_trace.h"

namespace tracemesh::verify {

struct CollectorClient::State {
  std::string base_url;
  httplib::Client client;
  httplib::Headers headers;
  explicit State(const std::string& url) : base_url(url), client(url) {}
};

namespace {

std::string error_text(const httplib::Response& response) {
  const auto body = nlohmann::json::parse(response.body, nullptr, false);
  if (body.is_object() && body.contains("error") && body["error"].is_string()) {
    return body["error"].get<std::string>();
  }
  return response.body.substr(0, 200);
}

Expected<std::string> get(httplib::Client& client, const std::string& base,
                          const std::string& target, const httplib::Headers& headers,
                          bool allow_not_found) {
  const auto response = client.Get(target, headers);
  if (!response) {
    return Error{ErrorCode::transport_error, "cannot reach the collector at " + base + ": " +
                                                 httplib::to_string(response.error())};
  }
  if (response->status == 200 || (allow_not_found && response->status == 404)) {
    return response->status == 404 ? std::string() : response->body;
  }
  const std::string message = "the collector answered " + std::to_string(response->status) +
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
                                                   std::optional<std::string> token) {
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  const std::size_t scheme = url.rfind("https://", 0) == 0  ? 8
                             : url.rfind("http://", 0) == 0 ? 7
                                                            : 0;
  if (scheme == 0 || url.size() <= scheme || url.find('/', scheme) != std::string::npos) {
    return Error{ErrorCode::invalid_input,
                 "--collector '" + base_url +
                     "' must be http://HOST:PORT or https://HOST:PORT "
                     "(the collector's query listener, e.g. http://127.0.0.1:16686)"};
  }
  auto state = std::make_unique<State>(url);
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
  auto body =
      get(state_->client, state_->base_url, "/api/traces/" + trace_id, state_->headers, true);
  if (!body) return body.error();
  if (body->empty()) return std::optional<model::Trace>();
  auto parsed = read_api_trace(*body);
  if (!parsed) return parsed.error();
  return std::optional<model::Trace>(std::move(*parsed));
}

Expected<std::vector<std::string>> CollectorClient::search(
    const TraceSelector& selector, std::optional<std::uint64_t> start_after_unix_nano,
    std::size_t limit) {
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
