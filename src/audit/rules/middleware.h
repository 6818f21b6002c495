// Inbound tracing middleware per service: present only when a middleware
// that reads an inbound trace header (or an OpenTelemetry server
// instrumentor) is registered in a module the service actually serves — a
// registration in a module nothing imports does not count.
//
// Registrations: FastAPI/Starlette add_middleware and @app.middleware("http")
// (BaseHTTPMiddleware subclasses, pure ASGI classes, functions), aiohttp
// web.Application(middlewares=[...]) and app.middlewares.append, Flask and
// Quart before_request, and FastAPI/Starlette/aiohttp/Flask instrumentors.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "audit/fleet.h"

namespace tracemesh::audit {

struct InboundMiddleware {
  std::string service;
  bool present = false;
  std::string file;  // the registration that counts; or the best one that does not
  int line = 0;
  std::string kind;    // "http middleware", "add_middleware", "aiohttp middlewares",
                       // "before_request", "opentelemetry instrumentor"
  std::string detail;  // the evidence, or why nothing counts
};

// One entry per service, sorted by service name.
std::vector<InboundMiddleware> find_inbound_middleware(const Fleet& fleet);

}  // namespace tracemesh::audit
