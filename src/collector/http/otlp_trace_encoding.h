// A stored trace in OTLP's trace shape again: resource spans grouped by
// resource (service and resource attributes), scope spans by instrumentation
// scope, each span with its attributes, events, links and status typed as
// OTLP types them. Tempo's trace-by-id answers with it (tempo_api.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/span_record.h"

namespace tracemesh::collector {

// The spans as a serialized ExportTraceServiceRequest, whose only field
// (resource_spans = 1) is also Tempo's tempopb.Trace (batches = 1).
std::string otlp_trace_protobuf(const std::vector<model::SpanRecord>& spans);

// The spans as OTLP/JSON: {"<top_key>": [ResourceSpans...]} with the ids in
// hex and 64-bit integers as strings, as the OTLP/JSON mapping writes them.
// `top_key` is "resourceSpans" (OTLP) or "batches" (Tempo).
std::string otlp_trace_json(const std::vector<model::SpanRecord>& spans, std::string_view top_key);

}  // namespace tracemesh::collector
