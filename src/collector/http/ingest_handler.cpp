#include "collector/http/ingest_handler.h"

#include <type_traits>

#include "collector/http/ingest_counters.h"
#include "ingest/otlp_json_decoder.h"
#include "ingest/otlp_logs_json_decoder.h"
#include "ingest/otlp_logs_protobuf_decoder.h"
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

// An Export{Trace,Logs}ServiceResponse: the two differ in the name of the
// rejected count only (rejected_spans, rejected_log_records; field 1 both).
template <typename Response>
IngestAnswer success(BodyEncoding encoding, std::size_t rejected, std::string_view message,
                     std::string_view rejected_field = "rejectedSpans") {
  IngestAnswer answer;
  answer.content_type = content_type_of(encoding);
  if (encoding == BodyEncoding::protobuf) {
    Response response;
    if (rejected > 0) {
      auto* partial = response.mutable_partial_success();
      if constexpr (std::is_same_v<Response, otlp::ExportLogsServiceResponse>) {
        partial->set_rejected_log_records(static_cast<std::int64_t>(rejected));
      } else {
        partial->set_rejected_spans(static_cast<std::int64_t>(rejected));
      }
      partial->set_error_message(std::string(message));
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
        .field(rejected_field, std::to_string(rejected))
        .field("errorMessage", message)
        .end_object()
        .end_object();
    answer.body = json.take();
  }
  return answer;
}

// The answer to a store write that was not committed (queue full, closed, failed).
IngestAnswer refused(const WriteResult& written, BodyEncoding encoding, IngestCounters& counters,
                     std::string_view what) {
  ++counters.requests_throttled;
  if (written.status == WriteResult::Status::queue_full) {
    return error_answer(429, "the collector's write queue is full; retry later", encoding);
  }
  return error_answer(
      503, "the collector could not store the " + std::string(what) + ": " + written.message,
      encoding);
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
  answer.error = std::string(message);
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
  if (written.status == WriteResult::Status::committed) return accepted(rejected, message);
  return refused(written, encoding, counters, "spans");
}

IngestAnswer ingest_otlp(std::string_view body, BodyEncoding encoding, SpanStore& store,
                         const ingest::DecodeLimits& limits, IngestCounters& counters) {
  auto decoded = encoding == BodyEncoding::protobuf ? ingest::decode_otlp_protobuf(body, limits)
                                                    : ingest::decode_otlp_json(body, limits);
  return store_decoded(std::move(decoded), encoding, store, counters,
                       [encoding](std::size_t rejected, const std::string& message) {
                         return success<otlp::ExportTraceServiceResponse>(encoding, rejected,
                                                                          message);
                       });
}

IngestAnswer ingest_otlp_logs(std::string_view body, BodyEncoding encoding, SpanStore& store,
                              const ingest::DecodeLimits& limits, IngestCounters& counters) {
  ++counters.requests;
  auto decoded = encoding == BodyEncoding::protobuf
                     ? ingest::decode_otlp_logs_protobuf(body, limits)
                     : ingest::decode_otlp_logs_json(body, limits);
  if (!decoded) {
    ++counters.requests_malformed;
    return error_answer(400, decoded.error().text(), encoding);
  }
  const WriteResult written = store.write_logs(std::move(decoded->records));
  if (written.status != WriteResult::Status::committed) {
    return refused(written, encoding, counters, "log records");
  }
  // Counted once stored: a request refused and sent again is not counted twice.
  counters.log_records_received += written.stored;
  counters.log_records_unlinked += decoded->unlinked;
  counters.log_records_rejected += decoded->rejected;
  return success<otlp::ExportLogsServiceResponse>(encoding, decoded->rejected,
                                                  decoded->rejection_message, "rejectedLogRecords");
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
