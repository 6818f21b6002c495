// Span selectors and assertions (`span[service=auth kind=server]
// http.response.status_code = 200`, `count(span[...]) >= 1`, `trace duration
// < 2s`) checked against a trace.
#pragma once

#include "model/trace.h"
#include "verify/expectation.h"
#include "verify/outcome.h"

namespace tracemesh::verify {

// Whether `span` satisfies every condition of `selector`.
bool matches(const SpanSelector& selector, const model::SpanRecord& span);

// A span assertion holds when the selector matches at least one span and
// every matched span satisfies it; the failing spans are named and marked.
Outcome check_assertion(const Assertion& assertion, const model::Trace& trace);

}  // namespace tracemesh::verify
