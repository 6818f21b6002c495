// Service paths (`ui -> auth`, `ui ~> rag`, `worker -> (mqtt) -> consumer`)
// checked against a trace's span tree.
//
// The tree is cut into service segments: a span starts a new segment when
// its parent is missing, belongs to another service, or is the CLIENT /
// PRODUCER side of a call it answers as SERVER / CONSUMER. `A -> B` holds
// when a segment of B hangs directly below a segment of A; `A ~> B` when one
// is anywhere below. A failure says how far the path held and why the next
// hop is missing: a broken hop (with its culprit), B's spans elsewhere in the
// trace, or no span of B at all.
#pragma once

#include "model/trace.h"
#include "verify/expectation.h"
#include "verify/outcome.h"

namespace tracemesh::verify {

Outcome check_path(const ServicePath& path, const model::Trace& trace);

// The protocol of the hop into the span at `index` from its parent (another
// service): the parent's messaging.system, "http" for HTTP calls, rpc.system
// for RPC; empty when the spans do not say.
std::string hop_protocol(const model::SpanRecord& parent, const model::SpanRecord& child);

}  // namespace tracemesh::verify
