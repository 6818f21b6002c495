// The JSON the tools write for spans and integrity verdicts: the query API's
// span objects (trace_id, span_id, parent_span_id as hex, service, name,
// kind, start_unix_nano, end_unix_nano, status, attributes, events, links)
// and the verdict the store keeps and the API returns; the log records that
// name a trace (time_unix_nano, service, severity, body, span_id, attributes,
// logged_id).
#pragma once

#include <string>

#include "model/log_record.h"
#include "model/span_record.h"
#include "model/trace_integrity.h"

namespace tracemesh::model {

// Append `span` as a JSON object.
void append_span_json(std::string& out, const SpanRecord& span);

// Append `record` as a JSON object (span_id null when it names none).
void append_log_json(std::string& out, const LogRecord& record);

// Return `verdict` as a JSON object: state, integrity, span_count, roots,
// orphans, missing_parents, clock_skew, unfinished, broken_hops.
std::string verdict_json(const TraceVerdict& verdict);

}  // namespace tracemesh::model
