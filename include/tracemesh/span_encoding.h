// Wire encodings of finished spans: OTLP protobuf, OTLP JSON and Zipkin v2 JSON.
//
// These are the bodies the HTTP exporters (tracemesh::curl, otlp_exporter.h)
// send; they are public so that a service with its own transport can send
// the same bytes. Spans are grouped by resource and instrumentation scope
// (by object identity, as the Tracer shares them) in first-seen order.
//
// OTLP follows opentelemetry-proto's trace/v1 and collector/trace/v1 messages
// (ExportTraceServiceRequest) and the OTLP/JSON mapping: ids as hex strings,
// 64-bit integers as decimal strings, enums as integers. A span that carried
// a legacy id header value (SpanContext::legacy_trace_id) gets it as the
// attribute `tracemesh.legacy_trace_id` so backends can search by it.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "tracemesh/span_data.h"

namespace tracemesh {

using SpanBatch = std::span<const std::unique_ptr<SpanData>>;

// The attribute that carries a legacy id header's original value.
inline constexpr std::string_view legacy_trace_id_attribute = "tracemesh.legacy_trace_id";

// Return `spans` as a binary ExportTraceServiceRequest.
std::string encode_otlp_protobuf(SpanBatch spans);

// Return `spans` as an ExportTraceServiceRequest in the OTLP/JSON mapping.
std::string encode_otlp_json(SpanBatch spans);

// Return `spans` as a Zipkin v2 JSON array. Times become microseconds; every
// attribute becomes a string tag; events become annotations; an error status
// becomes the `error` tag. Internal spans carry no kind, as Zipkin expects.
std::string encode_zipkin_json(SpanBatch spans);

}  // namespace tracemesh
