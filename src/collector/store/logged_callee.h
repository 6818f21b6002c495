// Calls proven by the callee's logs rather than its spans: a CLIENT or
// PRODUCER span that no span answered, whose trace a service logged while the
// call was out (HTTP: from the call's start to its end, each widened by the
// call tolerance; messaging: up to the messaging delay after the publish),
// where that service is not the caller and sent no span of the trace. The
// context arrived (the callee logged the id): the hop counts as `logged`
// rather than unanswered. An HTTP call to a host name is matched only to the
// service that name is (its first label: `ingest`, `ingest.prod.svc...`);
// a call to an IP address, localhost or no address (and a publish) to the
// first such service to log while it was out.
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::collector {

// An SQL expression: the logging callee of the call span aliased `call`, or
// NULL when none logged it.
std::string logged_callee_sql(std::string_view call);

}  // namespace tracemesh::collector
