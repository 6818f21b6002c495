#include "sdk/integrations/curl/url_parts.h"

#include <charconv>

#include "sdk/list_members.h"

namespace tracemesh::detail {
namespace {

std::int64_t default_port(std::string_view scheme) {
  const std::string lower = ascii_lowercase(scheme);
  if (lower == "http" || lower == "ws") return 80;
  if (lower == "https" || lower == "wss") return 443;
  return 0;
}

}  // namespace

UrlParts url_parts(std::string_view url) {
  UrlParts parts;
  const std::size_t scheme_end = url.find("://");
  // No scheme: libcurl guesses http.
  const std::string_view scheme =
      scheme_end == std::string_view::npos ? std::string_view("http") : url.substr(0, scheme_end);
  const std::size_t authority_start = scheme_end == std::string_view::npos ? 0 : scheme_end + 3;
  std::string_view authority = url.substr(authority_start);
  authority = authority.substr(0, authority.find_first_of("/?#"));

  const std::size_t at = authority.rfind('@');
  if (at == std::string_view::npos) {
    parts.full = url;
  } else {
    const bool has_password = authority.substr(0, at).find(':') != std::string_view::npos;
    parts.full.reserve(url.size() + 20);
    parts.full.append(url.substr(0, authority_start))
        .append(has_password ? "REDACTED:REDACTED" : "REDACTED")
        .append(url.substr(authority_start + at));
    authority.remove_prefix(at + 1);
  }

  std::string_view port_text;
  if (authority.starts_with('[')) {  // IPv6 literal
    const std::size_t close = authority.find(']');
    if (close != std::string_view::npos) {
      parts.host = authority.substr(1, close - 1);
      if (authority.substr(close + 1).starts_with(':')) port_text = authority.substr(close + 2);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    parts.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  std::int64_t port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  const bool valid = !port_text.empty() && error == std::errc() &&
                     end == port_text.data() + port_text.size() && port > 0 && port <= 65535;
  parts.port = valid ? port : default_port(scheme);
  return parts;
}

}  // namespace tracemesh::detail
