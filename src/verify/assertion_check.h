// Span selectors and assertions (`span[service=auth kind=server]
// http.response.status_code = 200`, `count(span[...]) >= 1`, `trace duration
// < 2s`) checked against a trace.
#pragma once

#include "verify/expectation.h"
#include "verify/outcome.h"
#include "verify/trace.h"

namespace tracemesh::verify {

// Whether `span` satisfies every condition of `selector`.
bool matches(const SpanSelector& selector, const Span& span);

// A span assertion holds when the selector matches at least one span and
// every matched span satisfies it; the failing spans are named and marked.
Outcome check_assertion(const Assertion& assertion, const Trace& trace);

}  // namespace tracemesh::verify
