// Traces as other backends' query APIs return them, turned into OTLP/JSON
// (an ExportTraceServiceRequest) so verify decodes them as it decodes its own
// files, with the same checks and limits:
//   - Jaeger's trace JSON (GET /api/traces/{id}: {"data": [trace]}): spans
//     with references, tags, logs and processes. span.kind, otel.status_code,
//     otel.status_description and error tags become the span's kind and status;
//     otel.scope.name (otel.library.name) its scope.
//   - Tempo's trace JSON: {"batches": [...]} (v1), {"trace": {"resourceSpans"
//     or "batches": [...]}} (v2), with ids in hex or, as Tempo writes them,
//     in base64, and enums as numbers or, as Tempo writes them, by name
//     ("SPAN_KIND_SERVER", "STATUS_CODE_ERROR").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tracemesh/expected.h"

namespace tracemesh::verify {

// One Jaeger trace object ({"traceID", "spans", "processes"}) as OTLP/JSON;
// invalid_input naming what is wrong when it is not one.
Expected<std::string> jaeger_trace_to_otlp_json(const nlohmann::json& trace);

// `document` as OTLP/JSON when it is Tempo-shaped (batches, or a trace
// holding resourceSpans or batches); nullopt for anything else, which is
// left to the OTLP/JSON decoder as it is.
std::optional<std::string> tempo_trace_to_otlp_json(std::string_view document);

}  // namespace tracemesh::verify
