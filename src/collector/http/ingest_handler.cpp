#include "collector/http/ingest_handler.h"

#include "collector/http/ingest_counters.h"
#include "ingest/otlp_json_decoder.h"
#include "ingest/otlp_protobuf_decoder.h"
#include "ingest/zipkin_json_decoder.h"
#include "otlp_trace.pb.h"
#include "report/json_writer.h"

namespace tracemesh::collector {
namespace {

constexpr int grpc_invalid_argument = 3;
constexpr int grpc_unavailable = 14;

std::string_view content_type_of(BodyEncoding encoding) {
  return encoding == BodyEncoding::protobuf ? "application/x-protobuf" : "application/json";
}

IngestAnswer success(BodyEncoding encoding, std::size_t rejected, std::string_view message) {
  IngestAnswer answer;
  answer.content_type = content_type_of(encoding);
  if (encoding == BodyEncoding::protobuf) {
    otlp::ExportTraceServiceResponse response;
    if (rejected > 0) {
      response.mutable_partial_success()->set_rejected_spans(static_cast<std::int64_t>(rejected));
      response.mutable_partial_success()->set_error_message(std::string(message));
    }
    answer.body = response.SerializeAsString();
  } else if (rejected == 0) {
    answer.body = "{}";
  } else {
    // OTLP/JSON writes int64 fields as strings.
    report::JsonWriter json(report::JsonWriter::Layout::compact);
    json.begin_object()
        .key("partialSuccess")
        .begin_object()
        .field("rejectedSpans", std::to_string(rejected))
        .field("errorMessage", message)
        .end_object()
        .end_object();
    answer.body = json.take();
  }
  return answer;
}

}  // namespace

std::optional<BodyEncoding> body_encoding(std::string_view content_type) {
  const std::string_view media = content_type.substr(0, content_type.find(';'));
  std::string lower;
  for (char c : media) {
    if (c != ' ' && c != '\t') lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  if (lower == "application/x-protobuf" || lower == "application/protobuf") {
    return BodyEncoding::protobuf;
  }
  if (lower == "application/json") return BodyEncoding::json;
  return std::nullopt;
}

std::string status_json(int code, std::string_view message) {
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().field("code", code).field("message", message).end_object();
  return json.take();
}

IngestAnswer error_answer(int status, std::string_view message, BodyEncoding encoding) {
  IngestAnswer answer;
  answer.status = status;
  answer.content_type = content_type_of(encoding);
  answer.retry_after = status == 429 || status == 503;
  const int code = answer.retry_after ? grpc_unavailable : grpc_invalid_argument;
  if (encoding == BodyEncoding::protobuf) {
    otlp::RpcStatus rpc_status;
    rpc_status.set_code(code);
    rpc_status.set_message(std::string(message));
    answer.body = rpc_status.SerializeAsString();
  } else {
    answer.body = status_json(code, message);
  }
  return answer;
}

IngestAnswer drop_metrics(BodyEncoding encoding, IngestCounters& counters) {
  ++counters.metrics_requests_dropped;
  IngestAnswer answer;
  answer.content_type = content_type_of(encoding);
  // An empty ExportMetricsServiceResponse: full success.
  answer.body = encoding == BodyEncoding::json ? "{}" : "";
  return answer;
}

// Store what a decoder returned and answer; `accepted` builds the success answer.
template <typename Accepted>
IngestAnswer store_decoded(Expected<ingest::DecodedBatch> decoded, BodyEncoding encoding,
                           SpanStore& store, IngestCounters& counters, Accepted accepted) {
  ++counters.requests;
  if (!decoded) {
    ++counters.requests_malformed;
    return error_answer(400, decoded.error().text(), encoding);
  }
  counters.spans_received += decoded->spans.size();
  counters.spans_rejected += decoded->rejected;
  const std::size_t rejected = decoded->rejected;
  const std::string message = std::move(decoded->rejection_message);
  const WriteResult written = store.write(std::move(decoded->spans));
  switch (written.status) {
    case WriteResult::Status::committed:
      return accepted(rejected, message);
    case WriteResult::Status::queue_full:
      ++counters.requests_throttled;
      return error_answer(429, "the collector's write queue is full; retry later", encoding);
    case WriteResult::Status::closed:
    case WriteResult::Status::failed:
      break;
  }
  ++counters.requests_throttled;
  return error_answer(503, "the collector could not store the spans: " + written.message, encoding);
}

IngestAnswer ingest_otlp(std::string_view body, BodyEncoding encoding, SpanStore& store,
                         const ingest::DecodeLimits& limits, IngestCounters& counters) {
  auto decoded = encoding == BodyEncoding::protobuf ? ingest::decode_otlp_protobuf(body, limits)
                                                    : ingest::decode_otlp_json(body, limits);
  return store_decoded(std::move(decoded), encoding, store, counters,
                       [encoding](std::size_t rejected, const std::string& message) {
                         return success(encoding, rejected, message);
                       });
}

IngestAnswer ingest_zipkin(std::string_view body, SpanStore& store,
                           const ingest::DecodeLimits& limits, IngestCounters& counters) {
  return store_decoded(ingest::decode_zipkin_json(body, limits), BodyEncoding::json, store,
                       counters, [](std::size_t rejected, const std::string& message) {
                         IngestAnswer answer;
                         answer.status = 202;
                         answer.content_type = "application/json";
                         if (rejected > 0) {
                           report::JsonWriter json(report::JsonWriter::Layout::compact);
                           json.begin_object()
                               .field("rejectedSpans", static_cast<std::uint64_t>(rejected))
                               .field("errorMessage", message)
                               .end_object();
                           answer.body = json.take();
                         }
                         return answer;
                       });
}

}  // namespace tracemesh::collector
