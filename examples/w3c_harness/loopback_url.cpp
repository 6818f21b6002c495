#include "loopback_url.h"

#include <string>

#include "loopback_address.h"

namespace w3c_harness {
namespace {

constexpr std::string_view scheme = "http://";

bool is_visible_ascii(char c) noexcept {
  return c > ' ' && c < '\x7f';
}

bool has_scheme(std::string_view url) noexcept {
  if (url.size() < scheme.size()) return false;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    char c = url[i] >= 'A' && url[i] <= 'Z' ? static_cast<char>(url[i] - 'A' + 'a') : url[i];
    if (c != scheme[i]) return false;
  }
  return true;
}

}  // namespace

tracemesh::Expected<LoopbackUrl> parse_loopback_url(std::string_view url) {
  const std::string shown(url.substr(0, 200));
  if (url.size() > max_url_size) return rejection("url is longer than 2048 characters");
  for (char c : url) {
    if (!is_visible_ascii(c) || c == '\\') {
      return rejection("url '" + shown + "' holds a space, control, backslash or non-ASCII byte");
    }
  }
  if (!has_scheme(url)) {
    return rejection("url '" + shown +
                     "' is not an http:// URL (only http:// on loopback is called)");
  }
  std::string_view rest = url.substr(scheme.size());
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find_first_of("@[]") != std::string_view::npos) {
    return rejection("url '" + shown + "' has user info or an IPv6 host; neither is accepted");
  }
  LoopbackUrl result{std::string(url), std::string(authority), 80};
  std::size_t colon = authority.find(':');
  if (colon != std::string_view::npos) {
    result.host = std::string(authority.substr(0, colon));
    auto port = parse_port(authority.substr(colon + 1));
    if (!port || *port == 0) return rejection("url '" + shown + "' has an invalid port");
    result.port = *port;
  }
  if (!is_loopback_host(result.host)) {
    return rejection("url '" + shown +
                     "' is not on a loopback host (only localhost and 127.0.0.0/8 are called)");
  }
  return result;
}

}  // namespace w3c_harness
