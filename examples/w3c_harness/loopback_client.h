// The harness's outbound HTTP: tracemesh's traced client, held to loopback.
//
// Calls go through tracemesh::HttpClient (a CLIENT span per call and the
// propagation headers of the current context); these options add the
// harness's own rules: no redirects followed, no proxy (proxy variables in a
// sandbox must not reroute a loopback call), http only, and no socket opened
// to any address outside 127.0.0.0/8, whatever the URL parser or resolver
// concluded.
#pragma once

#include <chrono>

#include "tracemesh/curl_client.h"

namespace w3c_harness {

// Return client options for loopback-only calls with `timeout` per call.
tracemesh::HttpClientOptions loopback_client_options(std::chrono::milliseconds timeout);

}  // namespace w3c_harness
