// Zipkin v2 JSON as Zipkin reporters (Brave, zipkin-js, the OpenTelemetry
// Zipkin exporters) send it.
#include "ingest/zipkin_json_decoder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace tracemesh::ingest {
namespace {

using nlohmann::json;

TEST(ZipkinJsonDecoder, DecodesAClientSpan) {
  const auto batch = decode_zipkin_json(R"([{
    "traceId": "5B8EFFF798038103D269B633813FC60C", "id": "eee19b7ec3c1b174", "parentId": "eee19b7ec3c1b173",
    "name": "post /charge", "kind": "CLIENT", "timestamp": 1700000000000000, "duration": 2500,
    "localEndpoint": {"serviceName": "front", "ipv4": "10.0.0.1"},
    "remoteEndpoint": {"ipv4": "10.0.0.2", "port": 8080},
    "tags": {"http.method": "POST", "http.path": "/charge", "error": "timeout"},
    "annotations": [{"timestamp": 1700000000001000, "value": "retry"}],
    "debug": false, "futureField": [1]
  }])");
  ASSERT_TRUE(batch) << batch.error().text();
  ASSERT_EQ(batch->spans.size(), 1U);
  const model::SpanRecord& span = batch->spans[0];
  EXPECT_EQ(span.trace_id.to_hex(), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(span.parent_span_id.to_hex(), "eee19b7ec3c1b173");
  EXPECT_EQ(span.service, "front");
  EXPECT_EQ(span.kind, model::SpanKind::client);
  EXPECT_EQ(span.start_unix_nano, 1700000000000000000U);
  EXPECT_EQ(span.end_unix_nano, 1700000000002500000U);
  EXPECT_EQ(span.status_code, model::StatusCode::error);
  EXPECT_EQ(span.status_message, "timeout");
  EXPECT_EQ(span.destination.address, "10.0.0.2");
  EXPECT_EQ(span.destination.port, 8080);
  EXPECT_EQ(span.destination.path, "/charge");
  EXPECT_EQ(json::parse(span.attributes_json),
            json::parse(R"({"http.method":"POST","http.path":"/charge","error":"timeout"})"));
  EXPECT_EQ(json::parse(span.events_json)[0]["name"], "retry");
}

TEST(ZipkinJsonDecoder, WidensShortTraceIdsAndSplitsSharedSpans) {
  const auto batch = decode_zipkin_json(R"([
    {"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "kind": "CLIENT", "localEndpoint": {"serviceName": "a"}},
    {"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "kind": "SERVER", "shared": true, "localEndpoint": {"serviceName": "b"}}
  ])");
  ASSERT_TRUE(batch);
  ASSERT_EQ(batch->spans.size(), 2U);
  EXPECT_EQ(batch->spans[0].trace_id.to_hex(), "0000000000000000d269b633813fc60c");
  EXPECT_EQ(batch->spans[1].parent_span_id, batch->spans[0].span_id);
  EXPECT_NE(batch->spans[1].span_id, batch->spans[0].span_id);
  EXPECT_EQ(batch->spans[1].service, "b");
}

// net.peer.* names the other side: on a CLIENT span where the call went, on a
// SERVER span the caller, which is not where the call arrived.
TEST(ZipkinJsonDecoder, PeerTagsNameTheDestinationOfOutboundSpansOnly) {
  const auto batch = decode_zipkin_json(R"([
    {"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "kind": "CLIENT",
     "localEndpoint": {"serviceName": "front"}, "tags": {"net.peer.name": "orders"}},
    {"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b175", "kind": "SERVER",
     "localEndpoint": {"serviceName": "orders"}, "tags": {"net.peer.name": "front"}}
  ])");
  ASSERT_TRUE(batch) << batch.error().text();
  ASSERT_EQ(batch->spans.size(), 2U);
  EXPECT_EQ(batch->spans[0].destination.address, "orders");
  EXPECT_EQ(batch->spans[1].destination.address, "");
  EXPECT_FALSE(batch->spans[1].destination.from_peer_attributes);
}

TEST(ZipkinJsonDecoder, AnInboundSpanArrivedAtItsLocalEndpoint) {
  const auto batch =
      decode_zipkin_json(R"([{"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174",
    "kind": "SERVER", "localEndpoint": {"serviceName": "orders", "ipv4": "10.0.0.2", "port": 8080},
    "remoteEndpoint": {"ipv4": "10.0.0.1", "port": 51234}}])");
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->spans[0].destination.address, "10.0.0.2");
  EXPECT_EQ(batch->spans[0].destination.port, 8080);
}

TEST(ZipkinJsonDecoder, RejectsInvalidSpansAndMalformedBodies) {
  struct Row {
    const char* name;
    const char* span;
    const char* reason;
  };
  const Row rows[] = {
      {"bad_trace_id", R"({"traceId": "xyz", "id": "eee19b7ec3c1b174"})",
       "traceId must be 16 or 32"},
      {"missing_id", R"({"traceId": "d269b633813fc60c"})", "id must be 16 hex digits"},
      {"bad_kind", R"({"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "kind": "server"})",
       "kind must be"},
      {"numeric_tag",
       R"({"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "tags": {"n": 1}})",
       "tag values must be strings"},
      {"negative_timestamp",
       R"({"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174", "timestamp": -1})",
       "timestamp must be"},
      {"timestamp_after_2262",
       R"({"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174",
           "timestamp": 9223372036854776})",
       "start time is after 2262-04-11"},
      {"duration_past_2262",
       R"({"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b174",
           "timestamp": 1700000000000000, "duration": 18446744073709551})",
       "end time is after 2262-04-11"},
  };
  const std::string good = R"({"traceId": "d269b633813fc60c", "id": "eee19b7ec3c1b175"})";
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto batch = decode_zipkin_json("[" + good + "," + row.span + "]");
    ASSERT_TRUE(batch);
    EXPECT_EQ(batch->spans.size(), 1U);
    EXPECT_EQ(batch->rejected, 1U);
    EXPECT_NE(batch->rejection_message.find(row.reason), std::string::npos)
        << batch->rejection_message;
  }
  for (const char* body : {"{}", "not json", "[1,"}) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(decode_zipkin_json(body));
  }
}

}  // namespace
}  // namespace tracemesh::ingest
