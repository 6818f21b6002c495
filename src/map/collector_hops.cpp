#include "map/collector_hops.h"

#include <httplib.h>

#include <thread>

namespace tracemesh::map {
namespace {

Expected<std::string> base_of(const std::string& url) {
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::size_t scheme = base.rfind("https://", 0) == 0  ? 8
                             : base.rfind("http://", 0) == 0 ? 7
                                                             : 0;
  if (scheme == 0 || base.size() <= scheme || base.find('/', scheme) != std::string::npos) {
    return Error{ErrorCode::invalid_input,
                 "--against '" + url +
                     "' must be http://HOST:PORT or https://HOST:PORT (the collector's query "
                     "listener, e.g. http://127.0.0.1:16686)"};
  }
  return base;
}

Expected<RuntimeHops> ask(httplib::Client& client, const std::string& base,
                          const std::string& target, const httplib::Headers& headers) {
  const auto response = client.Get(target, headers);
  if (!response) {
    return Error{ErrorCode::transport_error, "cannot reach the collector at " + base + ": " +
                                                 httplib::to_string(response.error())};
  }
  if (response->status != 200) {
    const std::string message = "the collector answered " + std::to_string(response->status) +
                                " to GET " + target + ": " + response->body.substr(0, 200);
    return Error{response->status >= 400 && response->status < 500 ? ErrorCode::invalid_input
                                                                   : ErrorCode::transport_error,
                 message};
  }
  return parse_runtime_hops(response->body);
}

}  // namespace

Expected<RuntimeHops> fetch_runtime_hops(const HopsRequest& request) {
  const auto base = base_of(request.base_url);
  if (!base) return base.error();
  httplib::Client client(*base);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(60, 0);
  httplib::Headers headers;
  if (request.token) headers.emplace("Authorization", "Bearer " + *request.token);
  std::string target = "/api/hops?lookback=" + std::to_string(request.since.count()) + "s";
  const auto deadline = std::chrono::steady_clock::now() + request.wait_settled;
  for (;;) {
    auto hops = ask(client, *base, target, headers);
    if (!hops || hops->unsettled_traces == 0 || std::chrono::steady_clock::now() >= deadline)
      return hops;
    // The same window again: traces that start later do not hold the wait.
    target = "/api/hops?start=" + std::to_string(hops->start_unix_nano) +
             "&end=" + std::to_string(hops->end_unix_nano);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace tracemesh::map
