// The outbound URLs the harness will call: plain http:// on this host only.
//
// W3C test suites name the next hop in the request body. The harness accepts
// "http://HOST[:PORT][/PATH][?QUERY]" where HOST passes is_loopback_host
// (loopback_address.h); anything else (https, user info, IPv6 literals,
// other hosts, spaces or non-ASCII bytes in the path) is rejected before any
// connection is attempted. The HTTP client checks the connected address too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tracemesh/expected.h"

namespace w3c_harness {

inline constexpr std::size_t max_url_size = 2048;

struct LoopbackUrl {
  std::string text;  // the URL as given, which is what gets requested
  std::string host;
  std::uint16_t port = 80;
};

// Parse `url`, accepting only http:// URLs on a loopback host (see the file comment).
tracemesh::Expected<LoopbackUrl> parse_loopback_url(std::string_view url);

}  // namespace w3c_harness
