// OTLP/gRPC: the TraceService, LogsService and MetricsService Export calls,
// answered as OTLP/HTTP answers the same request (ingest_handler.h): the same
// decoders, limits, durability (OK only once committed) and partial success.
// A full write queue is RESOURCE_EXHAUSTED and a store that cannot write is
// UNAVAILABLE, both with a google.rpc.RetryInfo; the OTLP exporters retry
// exactly those.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "collector/grpc/grpc_server.h"
#include "collector/store/span_store.h"
#include "ingest/decoded_batch.h"

namespace tracemesh::collector {

struct IngestCounters;

struct OtlpGrpcSettings {
  std::size_t max_decompressed_bytes = std::size_t{64} << 20U;
  ingest::DecodeLimits decode;
  int retry_after_seconds = 1;
  std::optional<std::string> ingest_token;  // bearer token required in `authorization`
};

// The method paths served.
inline constexpr const char* otlp_grpc_trace_export =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
inline constexpr const char* otlp_grpc_logs_export =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
inline constexpr const char* otlp_grpc_metrics_export =
    "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";

// Answer one call.
GrpcReply answer_otlp_grpc(const GrpcCall& call, SpanStore& store, const OtlpGrpcSettings& settings,
                           IngestCounters& counters);

}  // namespace tracemesh::collector
