#include "verify/attribute_aliases.h"

#include <array>

namespace tracemesh::verify {
namespace {

using Pair = std::pair<std::string_view, std::string_view>;

// From the semantic conventions' HTTP migration (v1.21 → v1.23) and the
// network and messaging renames that came with it.
// (net.peer.name/port are left out: on a server span they named the client,
// not what server.address/port name.)
constexpr std::array<Pair, 12> pairs = {{
    {"http.response.status_code", "http.status_code"},
    {"http.request.method", "http.method"},
    {"url.full", "http.url"},
    {"url.scheme", "http.scheme"},
    {"url.path", "http.target"},
    {"client.address", "http.client_ip"},
    {"network.protocol.version", "http.flavor"},
    {"user_agent.original", "http.user_agent"},
    {"http.request.body.size", "http.request_content_length"},
    {"http.response.body.size", "http.response_content_length"},
    {"network.peer.address", "net.sock.peer.addr"},
    {"messaging.destination.name", "messaging.destination"},
}};

// For each name, the other of its pair, in one flat table for aliases_of.
constexpr std::array<std::string_view, pairs.size()* 2> others = [] {
  std::array<std::string_view, pairs.size() * 2> out{};
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    out[2 * i] = pairs[i].second;
    out[2 * i + 1] = pairs[i].first;
  }
  return out;
}();

}  // namespace

std::span<const Pair> attribute_aliases() noexcept {
  return pairs;
}

std::span<const std::string_view> aliases_of(std::string_view key) noexcept {
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    if (pairs[i].first == key) return {&others[2 * i], 1};
    if (pairs[i].second == key) return {&others[2 * i + 1], 1};
  }
  return {};
}

}  // namespace tracemesh::verify
