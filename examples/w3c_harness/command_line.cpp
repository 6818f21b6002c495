#include "command_line.h"

#include <cstddef>
#include <string_view>
#include <utility>

namespace w3c_harness {

tracemesh::Expected<CommandLine> parse_command_line(std::span<const char* const> arguments) {
  CommandLine result;
  for (std::size_t index = 0; index < arguments.size(); ++index) {
    std::string_view argument = arguments[index];
    if (argument == "--help" || argument == "-h") {
      result.help = true;
      continue;
    }
    std::string_view value;
    if (argument == "--listen") {
      if (index + 1 == arguments.size()) return rejection("--listen needs a value, HOST:PORT");
      value = arguments[++index];
    } else if (argument.starts_with("--listen=")) {
      value = argument.substr(std::string_view("--listen=").size());
    } else {
      return rejection("unknown argument '" + std::string(argument) + "'");
    }
    auto listen = parse_listen_address(value);
    if (!listen) return listen.error();
    result.listen = std::move(*listen);
  }
  return result;
}

std::string usage() {
  return R"(Usage: tracemesh-w3c-harness [--listen HOST:PORT]

A W3C Trace Context test harness service built on the tracemesh SDK.

POST /test takes a JSON array of {"url": URL, "arguments": [...]}. For each
entry, in order, it POSTs `arguments` as a JSON body to URL, propagating the
context of the incoming request (W3C traceparent/tracestate by default) from
a new CLIENT span, then answers 200. Only http:// URLs on localhost or
127.0.0.0/8 are called; anything else, and any malformed body, is a 400.
Outbound calls time out after 5 seconds. One line per request is logged
to stderr.

Options:
  --listen HOST:PORT  address to listen on (default 127.0.0.1:7777). HOST must be a
                      loopback IPv4 address; PORT 0 picks a free port. The bound
                      address is printed as "listening on http://HOST:PORT".
  -h, --help          print this help and exit

Environment: the OpenTelemetry variables the tracemesh SDK reads, e.g.
OTEL_PROPAGATORS (default here: tracecontext), OTEL_SERVICE_NAME (default here:
tracemesh-w3c-harness), OTEL_TRACES_EXPORTER (console or jsonl to see spans).

Exit status: 0 after SIGINT/SIGTERM, 1 when the SDK configuration is invalid or
the address cannot be bound, 2 on bad usage.
)";
}

}  // namespace w3c_harness
