#include "loopback_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include <curl/curl.h>

namespace w3c_harness {
namespace {

// Open the socket only when curl is about to connect to 127.0.0.0/8: the
// last line of the loopback rule.
curl_socket_t open_loopback_socket(void*, curlsocktype, curl_sockaddr* address) {
  if (address->family != AF_INET || address->addrlen < sizeof(sockaddr_in)) {
    return CURL_SOCKET_BAD;
  }
  sockaddr_in ipv4{};
  std::memcpy(&ipv4, &address->addr, sizeof(ipv4));
  if ((ntohl(ipv4.sin_addr.s_addr) >> 24) != 127) return CURL_SOCKET_BAD;
  return socket(address->family, address->socktype, address->protocol);
}

void hold_to_loopback(CURL* handle) {
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V4));
  curl_easy_setopt(handle, CURLOPT_OPENSOCKETFUNCTION, &open_loopback_socket);
}

}  // namespace

tracemesh::HttpClientOptions loopback_client_options(std::chrono::milliseconds timeout) {
  tracemesh::HttpClientOptions options;
  options.timeout = timeout;
  options.connect_timeout = timeout;
  options.max_redirects = 0;
  options.configure_handle = &hold_to_loopback;
  return options;
}

}  // namespace w3c_harness
