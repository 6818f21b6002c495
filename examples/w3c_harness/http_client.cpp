#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

#include <curl/curl.h>

#include "loopback_address.h"

namespace w3c_harness {
namespace {

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using EasyHandle = std::unique_ptr<CURL, EasyDeleter>;
using HeaderSlist = std::unique_ptr<curl_slist, ListDeleter>;

// Discard the response body (curl writes it to stdout otherwise).
std::size_t discard_body(char*, std::size_t size, std::size_t count, void*) {
  return size * count;
}

// Open the socket only when curl is about to connect to 127.0.0.0/8, whatever
// the URL parser or resolver concluded: the last line of the loopback rule.
curl_socket_t open_loopback_socket(void*, curlsocktype, curl_sockaddr* address) {
  if (address->family != AF_INET || address->addrlen < sizeof(sockaddr_in)) {
    return CURL_SOCKET_BAD;
  }
  sockaddr_in ipv4{};
  std::memcpy(&ipv4, &address->addr, sizeof(ipv4));
  if ((ntohl(ipv4.sin_addr.s_addr) >> 24) != 127) return CURL_SOCKET_BAD;
  return socket(address->family, address->socktype, address->protocol);
}

bool append_header(HeaderSlist& list, const std::string& line) {
  curl_slist* appended = curl_slist_append(list.get(), line.c_str());
  if (appended == nullptr) return false;
  static_cast<void>(list.release());
  list.reset(appended);
  return true;
}

}  // namespace

HttpResult CurlHttpClient::post_json(const LoopbackUrl& url, std::string_view body,
                                     const HeaderList& headers) const {
  EasyHandle easy(curl_easy_init());
  if (!easy) return {0, "curl_easy_init failed"};

  HeaderSlist list;
  bool listed = append_header(list, "Content-Type: application/json") &&
                append_header(list, "Expect:");  // no 100-continue round trip
  for (const auto& [name, value] : headers) {
    listed = listed && append_header(list, name + ": " + value);
  }
  if (!listed) return {0, "out of memory building headers"};

  // Pin "localhost" to 127.0.0.1 so no resolver (or ::1) is involved. Only
  // that name: a pin for an address literal would redirect it.
  HeaderSlist resolve;
  if (!is_loopback_ipv4(url.host)) {
    const std::string pinned = "localhost:" + std::to_string(url.port) + ":127.0.0.1";
    if (!append_header(resolve, pinned)) return {0, "out of memory building resolve list"};
  }

  CURL* handle = easy.get();
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(handle, CURLOPT_URL, url.text.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V4));
  curl_easy_setopt(handle, CURLOPT_RESOLVE, resolve.get());
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, open_loopback_socket);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(handle, CURLOPT_POST, 1L);
  curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.empty() ? "" : body.data());
  curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, discard_body);

  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    return {0, "curl error " + std::to_string(static_cast<int>(code)) + ": " +
                   (error[0] != '\0' ? std::string(error) : std::string(curl_easy_strerror(code)))};
  }
  long status = 0;
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
  return {status, {}};
}

}  // namespace w3c_harness
