#include "sdk/integrations/curl/curl_easy.h"

#include <mutex>

#include "tracemesh/carrier.h"

namespace tracemesh::detail {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' ||
                           text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& response = *static_cast<CurlResponse*>(user);
  const std::string_view line(data, size * count);
  try {
    // A status line starts a new response (redirect, 100 Continue): keep the last one only.
    if (line.starts_with("HTTP/")) {
      response.headers.clear();
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      response.headers.emplace_back(std::string(trim(line.substr(0, colon))),
                                    std::string(trim(line.substr(colon + 1))));
    }
  } catch (...) {
    return 0;  // out of memory: abort the transfer
  }
  return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto& response = *static_cast<CurlResponse*>(user);
  const std::size_t bytes = size * count;
  try {
    const std::size_t room =
        response.body_limit > response.body.size() ? response.body_limit - response.body.size() : 0;
    if (bytes > room) response.body_truncated = true;
    response.body.append(data, std::min(bytes, room));
  } catch (...) {
    return 0;
  }
  return bytes;
}

}  // namespace

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

CurlHandle make_curl_handle() {
  ensure_curl_initialized();
  return CurlHandle(curl_easy_init());
}

bool append_header(CurlHeaderList& list, std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + value.size() + 2);
  line.append(name).append(": ").append(value);
  curl_slist* extended = curl_slist_append(list.get(), line.c_str());
  if (extended == nullptr) return false;
  (void)list.release();
  list.reset(extended);
  return true;
}

void collect_response(CURL* handle, CurlResponse& response) {
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response);
}

std::string_view response_header(const CurlResponse& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (header_name_equals(key, name)) return value;
  }
  return {};
}

}  // namespace tracemesh::detail
