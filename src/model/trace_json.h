// The JSON the tools write for spans and integrity verdicts: the query API's
// span objects (trace_id, span_id, parent_span_id as hex, service, name,
// kind, start_unix_nano, end_unix_nano, status, attributes, events, links)
// and the verdict the store keeps and the API returns.
#pragma once

#include <string>

#include "model/span_record.h"
#include "model/trace_integrity.h"

namespace tracemesh::model {

// Append `span` as a JSON object.
void append_span_json(std::string& out, const SpanRecord& span);

// Return `verdict` as a JSON object: state, integrity, span_count, roots,
// orphans, missing_parents, clock_skew, unfinished, broken_hops.
std::string verdict_json(const TraceVerdict& verdict);

}  // namespace tracemesh::model
