// What every C++ service of the demo fleet shares: configuration from the
// environment (as the fleet launcher, or a container, sets it), one tracer
// exporting over OTLP, the `--break` switch, the traced clients, and a clean
// stop on SIGINT/SIGTERM so the tracer can flush.
#pragma once

#include <signal.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "tracemesh/curl_client.h"
#include "tracemesh/expected.h"
#include "tracemesh/tracer.h"

namespace fleet {

// Write one line to stderr; lines of concurrent threads never interleave.
void log_line(std::string_view line);

// The variable's value, or `fallback` when it is unset or empty.
std::string env_or(const char* name, std::string_view fallback);

// The tracer of service `name`: OTEL_* variables as usual (the launcher sets
// OTEL_TRACES_EXPORTER=otlp and the endpoint), with the fleet's defaults:
// OTEL_SERVICE_NAME=name, OTEL_PROPAGATORS=tracecontext,baggage,xtraceid and
// X-Parent-Span-ID as the legacy parent header (the Python service reads
// X-Trace-ID and X-Parent-Span-ID by hand).
tracemesh::Expected<tracemesh::Tracer> make_tracer(std::string_view name);

// FLEET_BREAK names one edge, "caller->callee" (spaces allowed around the
// arrow); whether it is this one.
bool is_broken_edge(std::string_view caller, std::string_view callee);

// A tracer sharing `tracer`'s export pipeline whose propagator injects
// nothing: its clients still record CLIENT/PRODUCER spans but the callee
// gets no context, exactly like a client someone forgot to wire up.
tracemesh::Tracer without_propagation(const tracemesh::Tracer& tracer);

// The outbound HTTP client of `caller` for calls to `callee`: the traced
// client, or one that drops the context when FLEET_BREAK names that edge.
class Clients {
 public:
  Clients(std::string caller, const tracemesh::Tracer& tracer);
  const tracemesh::HttpClient& to(std::string_view callee) const;

 private:
  std::string caller_;
  tracemesh::HttpClient traced_;
  tracemesh::HttpClient dropping_;
};

// Handle `--help` and refuse any other argument; return the exit code to
// leave with, or -1 to go on. Every fleet service is configured by its
// environment, which `usage` describes.
int handle_arguments(int argc, char** argv, std::string_view usage);

// Block SIGINT and SIGTERM in this thread and every thread started after;
// call first thing in main. Return the set for wait_for_stop_signal.
sigset_t block_stop_signals();

// Wait for SIGINT or SIGTERM; return its number.
int wait_for_stop_signal(const sigset_t& signals);

// Split "HOST:PORT" (LISTEN); false when malformed.
bool split_host_port(std::string_view text, std::string& host, std::uint16_t& port);

}  // namespace fleet
