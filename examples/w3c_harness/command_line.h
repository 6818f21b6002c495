// The harness's command line: where to listen, or a request for help.
#pragma once

#include <span>
#include <string>

#include "loopback_address.h"
#include "tracemesh/expected.h"

namespace w3c_harness {

struct CommandLine {
  HostPort listen{"127.0.0.1", 7777};
  bool help = false;
};

// Parse the arguments after the program name: --listen HOST:PORT (or
// --listen=HOST:PORT) and --help / -h. Anything else is an error.
tracemesh::Expected<CommandLine> parse_command_line(std::span<const char* const> arguments);

// Return the --help text.
std::string usage();

}  // namespace w3c_harness
