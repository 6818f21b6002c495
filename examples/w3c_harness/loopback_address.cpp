#include "loopback_address.h"

#include <cstddef>
#include <string>
#include <utility>

namespace w3c_harness {
namespace {

bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// Parse a decimal number of 1 to `max_digits` digits without leading zeros.
bool parse_decimal(std::string_view text, std::size_t max_digits, unsigned& value) noexcept {
  if (text.empty() || text.size() > max_digits) return false;
  if (text.size() > 1 && text.front() == '0') return false;
  value = 0;
  for (char c : text) {
    if (!is_digit(c)) return false;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

}  // namespace

tracemesh::Error rejection(std::string reason) {
  return tracemesh::Error{tracemesh::ErrorCode::invalid_input, std::move(reason)};
}

bool is_loopback_ipv4(std::string_view host) noexcept {
  unsigned octets[4] = {};
  for (std::size_t index = 0; index < 4; ++index) {
    std::size_t dot = host.find('.');
    if ((index < 3) == (dot == std::string_view::npos)) return false;
    std::string_view part = host.substr(0, dot);
    if (!parse_decimal(part, 3, octets[index]) || octets[index] > 255) return false;
    host = index < 3 ? host.substr(dot + 1) : std::string_view();
  }
  return octets[0] == 127;
}

bool is_loopback_host(std::string_view host) noexcept {
  return equals_ignoring_case(host, "localhost") || is_loopback_ipv4(host);
}

tracemesh::Expected<std::uint16_t> parse_port(std::string_view text) {
  unsigned port = 0;
  if (!parse_decimal(text, 5, port) || port > 65535) {
    return rejection("port '" + std::string(text) + "' is not a number from 0 to 65535");
  }
  return static_cast<std::uint16_t>(port);
}

tracemesh::Expected<HostPort> parse_listen_address(std::string_view text) {
  std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return rejection("listen address '" + std::string(text) + "' is not HOST:PORT");
  }
  std::string_view host = text.substr(0, colon);
  if (!is_loopback_ipv4(host)) {
    return rejection("listen host '" + std::string(host) +
                     "' is not a loopback IPv4 address (127.0.0.0/8, e.g. 127.0.0.1)");
  }
  auto port = parse_port(text.substr(colon + 1));
  if (!port) return port.error();
  return HostPort{std::string(host), *port};
}

}  // namespace w3c_harness
