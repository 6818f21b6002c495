// The ports a service's own code listens on: the port= of its run calls
// (starts_server, fleet.h: uvicorn.run(app, port=8001), aiohttp's
// web.run_app(app, port=PORT), Flask's app.run(port=5000)), resolved like
// any value. Services
// started from code rather than compose or a Dockerfile have no other port
// on record, and a loopback URL ("http://127.0.0.1:8001/x") reaches the
// service by nothing else.
#pragma once

#include <set>

#include "audit/fleet.h"
#include "audit/rules/services.h"

namespace tracemesh::audit {

// The ports `service`'s modules start a server on.
std::set<int> code_ports(const Fleet& fleet, const Service& service);

}  // namespace tracemesh::audit
