// Calls proven by the callee's logs rather than its spans: a CLIENT or
// PRODUCER span that no span answered, whose trace a service first logged
// while the call was out (HTTP: from the call's start to its end, each
// widened by the call tolerance; messaging: up to the messaging delay after
// the publish), where that service is not the caller and sent no span of the
// trace. The context arrived (the callee logged the id): the hop counts as
// `logged` rather than unanswered. A service that logged the trace before
// the call was made is upstream of it, never its callee. An HTTP call to a
// host name is matched only to the service that name is (its first label:
// `ingest`, `ingest.prod.svc...`); a call to an IP address, localhost or no
// address (and a publish) to the first such service to log.
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::collector {

// A WITH clause defining `log_only`: for each trace of the window ({window},
// alias t, as trace_window.h writes it), each service that logged it and
// sent no span of it, with its first line's time (first_log). Computed once
// per query, so the per-call lookup below reads a handful of rows.
std::string log_only_cte();

// An SQL expression: the logging callee of the call span aliased `call`, or
// NULL when none logged it. Needs log_only_cte() in the query.
std::string logged_callee_sql(std::string_view call);

}  // namespace tracemesh::collector
