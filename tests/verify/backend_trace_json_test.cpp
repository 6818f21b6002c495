// Jaeger's and Tempo's trace JSON read as OTLP/JSON, then decoded as verify
// decodes its files: every field a check reads must come through.
#include "verify/backend_trace_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "ingest/otlp_json_decoder.h"

namespace tracemesh::verify {
namespace {

using nlohmann::json;

ingest::DecodedBatch decode(const std::string& otlp) {
  auto decoded = ingest::decode_otlp_json(otlp, {});
  EXPECT_TRUE(decoded) << decoded.error().text() << "\n" << otlp;
  EXPECT_EQ(decoded ? decoded->rejected : 1U, 0U) << otlp;
  return decoded ? std::move(*decoded) : ingest::DecodedBatch{};
}

// A Jaeger trace in our own words: a 64-bit trace id, a server span with a
// logged event and an error, its client child, and a FOLLOWS_FROM reference.
const json jaeger_trace = json::parse(R"({
  "traceID": "00000000000000000a0b0c0d0e0f1011",
  "spans": [
    {"traceID": "0a0b0c0d0e0f1011", "spanID": "1111111111111111", "operationName": "GET /parcels",
     "references": [], "startTime": 1796670600000000, "duration": 250000,
     "tags": [{"key": "span.kind", "type": "string", "value": "server"},
              {"key": "http.response.status_code", "type": "int64", "value": 502},
              {"key": "ratio", "type": "float64", "value": 0.5},
              {"key": "cached", "type": "bool", "value": false},
              {"key": "otel.status_code", "type": "string", "value": "ERROR"},
              {"key": "otel.status_description", "type": "string", "value": "upstream down"},
              {"key": "otel.scope.name", "type": "string", "value": "parcel-lib"}],
     "logs": [{"timestamp": 1796670600010000,
               "fields": [{"key": "event", "type": "string", "value": "retry"},
                          {"key": "attempt", "type": "int64", "value": 2}]}],
     "processID": "p1"},
    {"traceID": "0a0b0c0d0e0f1011", "spanID": "2222222222222222", "operationName": "POST",
     "references": [{"refType": "CHILD_OF", "traceID": "0a0b0c0d0e0f1011",
                     "spanID": "1111111111111111"},
                    {"refType": "FOLLOWS_FROM", "traceID": "ffffffffffffffffffffffffffffffff",
                     "spanID": "3333333333333333"}],
     "startTime": 1796670600020000, "duration": 100000,
     "tags": [{"key": "span.kind", "type": "string", "value": "client"},
              {"key": "server.address", "type": "string", "value": "carrier"},
              {"key": "error", "type": "bool", "value": true}],
     "processID": "p2"}],
  "processes": {
    "p1": {"serviceName": "parcels", "tags": [{"key": "host.name", "type": "string", "value": "h1"}]},
    "p2": {"serviceName": "parcels-client", "tags": []}}
})");

TEST(JaegerTraceJson, BecomesTheSameSpansAsOtlp) {
  const auto otlp = jaeger_trace_to_otlp_json(jaeger_trace);
  ASSERT_TRUE(otlp) << otlp.error().text();
  const ingest::DecodedBatch batch = decode(*otlp);
  ASSERT_EQ(batch.spans.size(), 2U);
  const model::SpanRecord& server =
      batch.spans[0].name == "GET /parcels" ? batch.spans[0] : batch.spans[1];
  const model::SpanRecord& client = &server == &batch.spans[0] ? batch.spans[1] : batch.spans[0];
  EXPECT_EQ(server.trace_id.to_hex(), "00000000000000000a0b0c0d0e0f1011");
  EXPECT_EQ(server.span_id.to_hex(), "1111111111111111");
  EXPECT_TRUE(server.is_root());
  EXPECT_EQ(server.service, "parcels");
  EXPECT_EQ(server.kind, model::SpanKind::server);
  EXPECT_EQ(server.start_unix_nano, 1'796'670'600'000'000'000U);
  EXPECT_EQ(server.end_unix_nano, 1'796'670'600'250'000'000U);
  EXPECT_EQ(server.status_code, model::StatusCode::error);
  EXPECT_EQ(server.status_message, "upstream down");
  EXPECT_EQ(server.scope_name, "parcel-lib");
  EXPECT_EQ(json::parse(server.attributes_json),
            json::parse(R"({"cached":false,"http.response.status_code":502,"ratio":0.5})"));
  EXPECT_EQ(json::parse(*server.resource_json)["host.name"], "h1");
  const json events = json::parse(server.events_json);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0]["name"], "retry");
  EXPECT_EQ(events[0]["time_unix_nano"], 1'796'670'600'010'000'000U);
  EXPECT_EQ(events[0]["attributes"], json({{"attempt", 2}}));

  EXPECT_EQ(client.parent_span_id.to_hex(), "1111111111111111");
  EXPECT_EQ(client.kind, model::SpanKind::client);
  EXPECT_EQ(client.service, "parcels-client");
  EXPECT_EQ(client.status_code, model::StatusCode::error);  // the error tag alone
  EXPECT_EQ(client.destination.address, "carrier");
  ASSERT_EQ(client.links.size(), 1U);
  EXPECT_EQ(client.links[0].span_id.to_hex(), "3333333333333333");
  EXPECT_EQ(json::parse(client.attributes_json).count("error"), 0U);
}

TEST(JaegerTraceJson, RefusesWhatIsNotATrace) {
  EXPECT_FALSE(jaeger_trace_to_otlp_json(json::parse(R"({"data": []})")));
  EXPECT_FALSE(jaeger_trace_to_otlp_json(json::parse(R"({"spans": [{"operationName": "x"}]})")));
  EXPECT_FALSE(jaeger_trace_to_otlp_json(json::parse(R"([1, 2])")));
  // A time that is no count of microseconds (found by fuzzing: cast, it overflowed).
  const auto huge = jaeger_trace_to_otlp_json(json::parse(
      R"({"spans": [{"spanID": "1111111111111111", "startTime": 1.7e25}], "processes": {}})"));
  ASSERT_FALSE(huge);
  EXPECT_NE(huge.error().text().find("startTime"), std::string::npos) << huge.error().text();
  EXPECT_FALSE(jaeger_trace_to_otlp_json(json::parse(
      R"({"spans": [{"spanID": "1111111111111111", "startTime": -5}], "processes": {}})")));
}

TEST(TempoTraceJson, ReadsBatchesAndBase64Ids) {
  // Tempo's JSON as Tempo writes it: batches, ids in base64.
  const std::string tempo = R"({"batches": [{
      "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "depot"}}]},
      "scopeSpans": [{"spans": [
        {"traceId": "CgsMDQ4PEBESExQVFhcYGQ==", "spanId": "AQIDBAUGBwg=", "name": "GET /bins",
         "kind": "SPAN_KIND_SERVER", "status": {"code": "STATUS_CODE_ERROR"},
         "startTimeUnixNano": "1796670600000000000",
         "endTimeUnixNano": "1796670600100000000",
         "links": [{"traceId": "CgsMDQ4PEBESExQVFhcYGQ==", "spanId": "CAcGBQQDAgE="}]}]}]}]})";
  const auto otlp = tempo_trace_to_otlp_json(tempo);
  ASSERT_TRUE(otlp);
  const ingest::DecodedBatch batch = decode(*otlp);
  ASSERT_EQ(batch.spans.size(), 1U);
  EXPECT_EQ(batch.spans[0].trace_id.to_hex(), "0a0b0c0d0e0f10111213141516171819");
  EXPECT_EQ(batch.spans[0].span_id.to_hex(), "0102030405060708");
  EXPECT_EQ(batch.spans[0].service, "depot");
  EXPECT_EQ(batch.spans[0].kind, model::SpanKind::server);
  EXPECT_EQ(batch.spans[0].status_code, model::StatusCode::error);
  ASSERT_EQ(batch.spans[0].links.size(), 1U);
  EXPECT_EQ(batch.spans[0].links[0].span_id.to_hex(), "0807060504030201");

  // v2's wrapper, hex ids: read the same way.
  const auto v2 = tempo_trace_to_otlp_json(R"({"trace": {"resourceSpans": [{"scopeSpans": [
      {"spans": [{"traceId": "0a0b0c0d0e0f10111213141516171819", "spanId": "0102030405060708",
                  "name": "x", "startTimeUnixNano": "1", "endTimeUnixNano": "2"}]}]}]}})");
  ASSERT_TRUE(v2);
  EXPECT_EQ(decode(*v2).spans.size(), 1U);
}

TEST(TempoTraceJson, LeavesOtlpAndOtherDocumentsAlone) {
  EXPECT_FALSE(tempo_trace_to_otlp_json(R"({"resourceSpans": []})"));
  EXPECT_FALSE(tempo_trace_to_otlp_json(R"({"trace": 5})"));
  EXPECT_FALSE(tempo_trace_to_otlp_json("not json, but says \"batches\""));
}

}  // namespace
}  // namespace tracemesh::verify
