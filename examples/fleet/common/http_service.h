// The fleet's cpp-httplib services: traced by tracemesh's middleware, bound
// to LISTEN (HOST:PORT, port 0 for any free one; loopback by default), and
// stopped cleanly by SIGINT/SIGTERM.
#pragma once

#include <signal.h>

#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "tracemesh/curl_client.h"
#include "tracemesh/tracer.h"

namespace fleet {

// Trace every request of `server` (a SERVER span each, current in the
// handlers), log one line per request, cap request bodies at 64 KiB, and
// answer GET /healthz.
void instrument(httplib::Server& server, const tracemesh::Tracer& tracer);

// Bind LISTEN, print "listening on http://HOST:PORT" (the launcher waits for
// that line), serve until a stop signal, then flush the tracer. Return the
// process exit code: 0 after a signal, 1 when binding failed or the server
// stopped by itself.
// Answer with `body` as JSON.
void reply(httplib::Response& response, int status, const nlohmann::json& body);

// Whether the call to `callee` answered `expected`; if not, log why and
// answer 502 naming the callee and what went wrong (its status and body, or
// the transport error).
bool succeeded(std::string_view callee, const tracemesh::Expected<tracemesh::HttpResponse>& answer,
               long expected, httplib::Response& response);

int serve(httplib::Server& server, const tracemesh::Tracer& tracer, const sigset_t& stop_signals);

}  // namespace fleet
