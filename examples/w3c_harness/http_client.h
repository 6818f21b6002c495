// The harness's outbound HTTP: POST a JSON body to a loopback URL.
//
// HttpClient is the small interface the harness service calls, so tests and
// other transports can stand in for it; CurlHttpClient is the real one, on
// libcurl's easy API. It never follows redirects, never uses a proxy (proxy
// variables in a sandbox must not reroute a loopback call), speaks http only,
// and refuses to open a socket to any address outside 127.0.0.0/8.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "loopback_url.h"

namespace w3c_harness {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// What came of one call: an HTTP status, or a transport error.
struct HttpResult {
  long status = 0;    // 0 when no response arrived
  std::string error;  // empty when a response arrived
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  // POST `body` as application/json to `url` with `headers`; never throws.
  virtual HttpResult post_json(const LoopbackUrl& url, std::string_view body,
                               const HeaderList& headers) const = 0;
};

class CurlHttpClient final : public HttpClient {
 public:
  // curl_global_init must have run before the first call.
  explicit CurlHttpClient(std::chrono::milliseconds timeout) : timeout_(timeout) {}
  HttpResult post_json(const LoopbackUrl& url, std::string_view body,
                       const HeaderList& headers) const override;

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace w3c_harness
