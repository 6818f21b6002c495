// Loopback-only addresses: what the W3C harness may bind to and call.
//
// The harness executes URLs that arrive in request bodies, and it runs in
// sandboxes, so it never touches anything but this host. A host is accepted
// only as "localhost" or as a dotted-quad IPv4 address in 127.0.0.0/8 written
// the canonical way: four decimal octets, no shorthand ("127.1") and no
// leading zeros (which inet_aton would read as octal, turning "0177.0.0.1"
// into a different address than the one a reader sees).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tracemesh/expected.h"

namespace w3c_harness {

// A loopback host and a TCP port.
struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

// Return whether `host` is a canonical dotted-quad IPv4 address in 127.0.0.0/8.
bool is_loopback_ipv4(std::string_view host) noexcept;

// Return whether `host` is "localhost" (any case) or a loopback IPv4 address.
bool is_loopback_host(std::string_view host) noexcept;

// Parse a decimal TCP port (0 to 65535, no sign, no leading zeros).
tracemesh::Expected<std::uint16_t> parse_port(std::string_view text);

// Parse the "HOST:PORT" a server may listen on: HOST must be a loopback IPv4
// address (never a name, so nothing is resolved); PORT 0 asks for any free port.
tracemesh::Expected<HostPort> parse_listen_address(std::string_view text);

// Return an Error carrying `reason`. The harness reports its own input errors
// with the SDK's Error type; the code is always invalid_input and the message
// says exactly what is wrong.
tracemesh::Error rejection(std::string reason);

}  // namespace w3c_harness
