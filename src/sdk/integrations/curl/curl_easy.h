// Small RAII and setup helpers over libcurl's easy interface (internal to
// tracemesh::curl): global initialisation, handles, header lists, and a
// response collector.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracemesh::detail {

// Initialise libcurl once per process (thread-safe; libcurl >= 7.84 itself is).
void ensure_curl_initialized();

struct CurlDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using CurlHandle = std::unique_ptr<CURL, CurlDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using CurlHeaderList = std::unique_ptr<curl_slist, SlistDeleter>;

// Return a new easy handle, or null when libcurl cannot make one.
CurlHandle make_curl_handle();

// Append "name: value" to `list`; returns false when libcurl is out of memory.
bool append_header(CurlHeaderList& list, std::string_view name, std::string_view value);

// What a transfer received: the status line's code, headers of the last
// response, and the body (capped; the rest is discarded, not buffered).
struct CurlResponse {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::size_t body_limit = std::string::npos;
  bool body_truncated = false;
};

// Point the handle's header and write callbacks at `response`.
void collect_response(CURL* handle, CurlResponse& response);

// Return the value of header `name` in `response` (case-insensitive), or "".
std::string_view response_header(const CurlResponse& response, std::string_view name);

}  // namespace tracemesh::detail
