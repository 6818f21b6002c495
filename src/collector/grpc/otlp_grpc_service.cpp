#include "collector/grpc/otlp_grpc_service.h"

#include <string_view>

#include "collector/bearer_token.h"
#include "collector/http/ingest_counters.h"
#include "collector/http/ingest_handler.h"

namespace tracemesh::collector {
namespace {

GrpcReply refusal(GrpcCode code, std::string error) {
  GrpcReply reply;
  reply.code = code;
  reply.error = std::move(error);
  return reply;
}

// The gRPC form of an OTLP/HTTP answer in protobuf.
GrpcReply from_http(IngestAnswer answer, int retry_after_seconds) {
  if (answer.status >= 200 && answer.status < 300) {
    GrpcReply reply;
    reply.message = std::move(answer.body);
    return reply;
  }
  GrpcReply reply;
  reply.error = std::move(answer.error);
  switch (answer.status) {
    case 429:  // the write queue is full
      reply.code = GrpcCode::resource_exhausted;
      reply.retry_after_seconds = retry_after_seconds;
      break;
    case 503:  // the store cannot write now
      reply.code = GrpcCode::unavailable;
      reply.retry_after_seconds = retry_after_seconds;
      break;
    case 401:
      reply.code = GrpcCode::unauthenticated;
      break;
    case 413:  // no RetryInfo: the same request would be refused again
      reply.code = GrpcCode::resource_exhausted;
      break;
    case 400:
      reply.code = GrpcCode::invalid_argument;
      break;
    default:
      reply.code = GrpcCode::internal;
      break;
  }
  return reply;
}

}  // namespace

GrpcReply answer_otlp_grpc(const GrpcCall& call, SpanStore& store, const OtlpGrpcSettings& settings,
                           IngestCounters& counters) {
  const bool traces = call.path == otlp_grpc_trace_export;
  const bool logs = call.path == otlp_grpc_logs_export;
  const bool metrics = call.path == otlp_grpc_metrics_export;
  if (!traces && !logs && !metrics) {
    return refusal(GrpcCode::unimplemented,
                   "unknown method " + std::string(call.path) +
                       ": the collector serves the OTLP TraceService, LogsService and "
                       "MetricsService Export calls");
  }
  if (!bearer_token_matches(call.authorization, settings.ingest_token)) {
    ++counters.requests_unauthorized;
    return refusal(GrpcCode::unauthenticated, "missing or wrong bearer token");
  }
  if (call.too_large) {
    ++counters.requests_too_large;
    return refusal(GrpcCode::resource_exhausted,
                   "request body over the collector's --max-body-bytes limit");
  }
  GrpcMessage message =
      unwrap_grpc_message(call.body, call.encoding, settings.max_decompressed_bytes);
  if (message.code != GrpcCode::ok) {
    ++(message.code == GrpcCode::resource_exhausted ? counters.requests_too_large
                                                    : counters.requests_malformed);
    return refusal(message.code, std::move(message.error));
  }
  if (metrics) return from_http(drop_metrics(BodyEncoding::protobuf, counters), 0);
  return from_http(
      logs ? ingest_otlp_logs(message.bytes, BodyEncoding::protobuf, store, settings.decode,
                              counters)
           : ingest_otlp(message.bytes, BodyEncoding::protobuf, store, settings.decode, counters),
      settings.retry_after_seconds);
}

}  // namespace tracemesh::collector
