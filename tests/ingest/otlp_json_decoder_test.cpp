// OTLP/JSON request bodies as senders write them, including the variants the
// OTLP specification allows and the mistakes it does not.
#include "ingest/otlp_json_decoder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace tracemesh::ingest {
namespace {

using nlohmann::json;

constexpr char trace_hex[] = "5b8efff798038103d269b633813fc60c";
constexpr char span_hex[] = "eee19b7ec3c1b174";
constexpr char parent_hex[] = "eee19b7ec3c1b173";

// A request with one resource ("checkout") and the given span objects.
std::string request(const std::string& spans) {
  return R"({"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"checkout"}}]},
    "scopeSpans":[{"scope":{"name":"my.library"},"spans":[)" +
         spans + "]}]}]}";
}

std::string span(const std::string& extra = "") {
  return std::string(R"({"traceId":")") + trace_hex + R"(","spanId":")" + span_hex +
         R"(","parentSpanId":")" + parent_hex +
         R"(","name":"GET /cart","kind":2,"startTimeUnixNano":"1700000000000000000",
         "endTimeUnixNano":"1700000000500000000")" +
         extra + "}";
}

DecodedBatch decode_ok(const std::string& body) {
  auto decoded = decode_otlp_json(body);
  EXPECT_TRUE(decoded) << decoded.error().text();
  return decoded ? std::move(*decoded) : DecodedBatch{};
}

TEST(OtlpJsonDecoder, DecodesEveryField) {
  const auto batch = decode_ok(request(span(R"(,
      "attributes":[{"key":"http.request.method","value":{"stringValue":"GET"}},
                    {"key":"server.port","value":{"intValue":"8080"}},
                    {"key":"server.address","value":{"stringValue":"cart"}},
                    {"key":"url.full","value":{"stringValue":"http://cart:8080/items?id=3"}},
                    {"key":"ratio","value":{"doubleValue":0.5}},
                    {"key":"ok","value":{"boolValue":true}},
                    {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"},{"intValue":2}]}}},
                    {"key":"map","value":{"kvlistValue":{"values":[{"key":"k","value":{"stringValue":"v"}}]}}},
                    {"key":"raw","value":{"bytesValue":"AQI="}},
                    {"key":"empty","value":{}}],
      "events":[{"timeUnixNano":"1700000000100000000","name":"retry","attributes":[{"key":"n","value":{"intValue":1}}]}],
      "links":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","flags":"769"}],
      "flags":257,
      "status":{"code":2,"message":"boom"})")));
  ASSERT_EQ(batch.spans.size(), 1U);
  EXPECT_EQ(batch.rejected, 0U);
  const model::SpanRecord& record = batch.spans[0];
  EXPECT_EQ(record.trace_id.to_hex(), trace_hex);
  EXPECT_EQ(record.span_id.to_hex(), span_hex);
  EXPECT_EQ(record.parent_span_id.to_hex(), parent_hex);
  EXPECT_EQ(record.service, "checkout");
  EXPECT_EQ(record.scope_name, "my.library");
  EXPECT_EQ(record.name, "GET /cart");
  EXPECT_EQ(record.kind, model::SpanKind::server);
  EXPECT_EQ(record.start_unix_nano, 1700000000000000000U);
  EXPECT_EQ(record.end_unix_nano, 1700000000500000000U);
  EXPECT_EQ(record.status_code, model::StatusCode::error);
  EXPECT_EQ(record.status_message, "boom");
  EXPECT_EQ(json::parse(record.attributes_json),
            json::parse(R"({"http.request.method":"GET","server.port":8080,"server.address":"cart",
              "url.full":"http://cart:8080/items?id=3","ratio":0.5,"ok":true,"tags":["a",2],
              "map":{"k":"v"},"raw":"AQI=","empty":null})"));
  EXPECT_EQ(json::parse(record.events_json),
            json::parse(
                R"([{"time_unix_nano":1700000000100000000,"name":"retry","attributes":{"n":1}}])"));
  EXPECT_EQ(
      json::parse(record.links_json),
      json::parse(
          R"([{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","flags":769,"attributes":{}}])"));
  // The flags (a number, or a decimal string as proto3 JSON writes fixed32)
  // and the links' ids, which restarted hops are found by.
  EXPECT_EQ(record.flags, 257U);
  EXPECT_FALSE(record.known_unsampled());
  ASSERT_EQ(record.links.size(), 1U);
  EXPECT_EQ(record.links[0].trace_id.to_hex(), "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(record.links[0].span_id.to_hex(), "b7ad6b7169203331");
  EXPECT_EQ(json::parse(*record.resource_json), json::parse(R"({"service.name":"checkout"})"));
  EXPECT_EQ(record.destination.address, "cart");
  EXPECT_EQ(record.destination.port, 8080);
  EXPECT_EQ(record.destination.path, "/items");
}

TEST(OtlpJsonDecoder, AcceptsTheVariantsTheSpecAllows) {
  struct Row {
    const char* name;
    std::string body;
  };
  const std::string upper_ids = std::string(
      R"({"traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"EEE19B7EC3C1B174","name":"x","startTimeUnixNano":1})");
  const Row rows[] = {
      {"uppercase_hex", request(upper_ids)},
      {"times_as_numbers",
       request(
           std::string(R"({"traceId":")") + trace_hex + R"(","spanId":")" + span_hex +
           R"(","startTimeUnixNano":1700000000000000000,"endTimeUnixNano":1700000000500000000})")},
      {"snake_case_fields", R"({"resource_spans":[{"scope_spans":[{"spans":[{"trace_id":")" +
                                std::string(trace_hex) + R"(","span_id":")" + span_hex +
                                R"(","start_time_unix_nano":"5"}]}]}]})"},
      {"unknown_fields_ignored",
       request(span(
           R"(,"futureField":{"x":[1,2]},"droppedAttributesCount":3,"flags":257,"traceState":"a=b")"))},
      {"empty_parent_is_root", request(std::string(R"({"traceId":")") + trace_hex +
                                       R"(","spanId":")" + span_hex + R"(","parentSpanId":""})")},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto batch = decode_ok(row.body);
    ASSERT_EQ(batch.spans.size(), 1U);
    EXPECT_EQ(batch.rejected, 0U) << batch.rejection_message;
    EXPECT_EQ(batch.spans[0].trace_id.to_hex(), trace_hex);
  }
  EXPECT_EQ(decode_ok(request(span())).spans[0].service, "checkout");
  EXPECT_EQ(decode_ok(R"({"resourceSpans":[{"scopeSpans":[{"spans":[)" + span() + "]}]}]}")
                .spans[0]
                .service,
            "unknown_service");
  EXPECT_TRUE(decode_ok(R"({"resourceSpans":[]})").spans.empty());
  const std::string snake_resource =
      R"({"resource_spans":[{"resource":{"attributes":[{"key":"service.name",
      "value":{"string_value":"snake"}}]},"scope_spans":[{"spans":[)" +
      span() + "]}]}]}";
  EXPECT_EQ(decode_ok(snake_resource).spans[0].service, "snake");
  EXPECT_TRUE(decode_ok("{}").spans.empty());
}

TEST(OtlpJsonDecoder, RejectsInvalidSpansAndKeepsTheRest) {
  struct Row {
    const char* name;
    std::string span;
    const char* reason;
  };
  const std::string ids =
      std::string(R"("traceId":")") + trace_hex + R"(","spanId":")" + span_hex + "\"";
  const Row rows[] = {
      {"short_trace_id", R"({"traceId":"abc","spanId":"eee19b7ec3c1b174"})",
       "traceId must be 32 hex digits"},
      {"zero_trace_id",
       R"({"traceId":"00000000000000000000000000000000","spanId":"eee19b7ec3c1b174"})",
       "traceId must be"},
      {"base64_span_id",
       std::string(R"({"traceId":")") + trace_hex + R"(","spanId":"7uGbfsPBsXQ="})",
       "spanId must be 16 hex digits"},
      {"missing_span_id", std::string(R"({"traceId":")") + trace_hex + R"("})",
       "spanId is missing"},
      {"kind_as_name", "{" + ids + R"(,"kind":"SPAN_KIND_SERVER"})", "kind must be an integer"},
      {"status_code_as_name", "{" + ids + R"(,"status":{"code":"STATUS_CODE_ERROR"}})",
       "status.code must be an integer"},
      {"kind_out_of_range", "{" + ids + R"(,"kind":9})", "kind must be 0 to 5"},
      {"time_not_a_number", "{" + ids + R"(,"startTimeUnixNano":"soon"})",
       "startTimeUnixNano must be"},
      {"negative_time", "{" + ids + R"(,"startTimeUnixNano":-5})", "startTimeUnixNano must be"},
      {"start_after_2262", "{" + ids + R"(,"startTimeUnixNano":"9223372036854775808"})",
       "start time is after 2262-04-11"},
      {"end_after_2262",
       "{" + ids + R"(,"startTimeUnixNano":1,"endTimeUnixNano":"18446744073709551615"})",
       "end time is after 2262-04-11"},
      {"attribute_not_anyvalue", "{" + ids + R"(,"attributes":[{"key":"a","value":"plain"}]})",
       "AnyValue"},
      {"span_not_object", "42", "a span must be an object"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto batch = decode_ok(request(span() + "," + row.span));
    ASSERT_EQ(batch.spans.size(), 1U) << "the valid span is kept";
    EXPECT_EQ(batch.rejected, 1U);
    EXPECT_NE(batch.rejection_message.find("span 1: "), std::string::npos)
        << batch.rejection_message;
    EXPECT_NE(batch.rejection_message.find(row.reason), std::string::npos)
        << batch.rejection_message;
  }
}

TEST(OtlpJsonDecoder, KeepsTheLatestTimeTheStoreCanHold) {
  const auto batch =
      decode_ok(request(std::string(R"({"traceId":")") + trace_hex + R"(","spanId":")" + span_hex +
                        R"(","startTimeUnixNano":"9223372036854775806",
                                       "endTimeUnixNano":"9223372036854775807"})"));
  ASSERT_EQ(batch.spans.size(), 1U);
  EXPECT_EQ(batch.spans[0].end_unix_nano, max_unix_nano);
}

TEST(OtlpJsonDecoder, RejectsMalformedBodiesWithAClearMessage) {
  struct Row {
    const char* name;
    std::string body;
    const char* message;
  };
  std::string deep = "{";
  for (int i = 0; i < 40; ++i) deep += R"("kvlistValue":{"values":[{"key":"k","value":{)";
  const Row rows[] = {
      {"not_json", "this is not json", "malformed JSON"},
      {"truncated", R"({"resourceSpans":[{"scopeSpans":[)", "malformed JSON"},
      {"array_root", "[]", "the request body must be an object"},
      {"resource_spans_not_array", R"({"resourceSpans":{}})", "resourceSpans must be an array"},
      {"spans_not_array", R"({"resourceSpans":[{"scopeSpans":[{"spans":7}]}]})",
       "spans must be an array"},
      {"bad_resource_attributes", R"({"resourceSpans":[{"resource":{"attributes":5}}]})",
       "resource attributes"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto decoded = decode_otlp_json(row.body);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, ErrorCode::invalid_input);
    EXPECT_NE(decoded.error().message.find(row.message), std::string::npos)
        << decoded.error().message;
  }
}

TEST(OtlpJsonDecoder, KeepsTheFirstOfARepeatedValuesKey) {
  const auto batch = decode_ok(request(span(R"(,"attributes":[{"key":"m","value":{"kvlistValue":
      {"values":[{"key":"a","value":{"intValue":1}}],"values":[{"key":"b","value":{"intValue":2}}]}}},
      {"key":"l","value":{"arrayValue":{"values":[{"intValue":1}],"values":[{"intValue":2}]}}}])")));
  ASSERT_EQ(batch.spans.size(), 1U);
  EXPECT_EQ(json::parse(batch.spans[0].attributes_json, nullptr, false),
            json::parse(R"({"m":{"a":1},"l":[1]})"));
}

TEST(OtlpJsonDecoder, PeerAttributesOfAnInboundSpanAreNotItsDestination) {
  const std::string peer =
      R"(,"attributes":[{"key":"net.peer.name","value":{"stringValue":"10.1.1.1"}},
      {"key":"net.peer.port","value":{"intValue":51234}},{"key":"http.target","value":{"stringValue":"/x?y"}}])";
  const auto server = decode_ok(request(span(peer)));  // span() is kind 2, SERVER
  EXPECT_EQ(server.spans[0].destination.address, "");
  EXPECT_EQ(server.spans[0].destination.port, 0);
  EXPECT_EQ(server.spans[0].destination.path, "/x");
  std::string client_span = span(peer);
  client_span.replace(client_span.find(R"("kind":2)"), 8, R"("kind":3)");
  const auto client = decode_ok(request(client_span));
  EXPECT_EQ(client.spans[0].destination.address, "10.1.1.1");
  EXPECT_EQ(client.spans[0].destination.port, 51234);
}

TEST(OtlpJsonDecoder, EnforcesItsLimits) {
  DecodeLimits limits;
  limits.max_spans = 2;
  const auto too_many = decode_otlp_json(request(span() + "," + span() + "," + span()), limits);
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("more than 2 spans"), std::string::npos);

  limits = {};
  limits.max_depth = 3;
  std::string nested = R"({"stringValue":"leaf"})";
  for (int i = 0; i < 5; ++i) nested = R"({"arrayValue":{"values":[)" + nested + "]}}";
  const auto batch = decode_otlp_json(
      request(span(R"(,"attributes":[{"key":"deep","value":)" + nested + "}]")), limits);
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch->rejected, 1U);
  EXPECT_NE(batch->rejection_message.find("nested too deep"), std::string::npos);

  const std::string huge_resource = R"({"resourceSpans":[{"resource":{"attributes":[{"key":"blob",
      "value":{"stringValue":")" + std::string(70 * 1024, 'x') +
                                    R"("}}]},"scopeSpans":[{"spans":[)" + span() + "]}]}]}";
  const auto refused = decode_otlp_json(huge_resource);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("resource attributes over 65536 bytes"),
            std::string::npos);
}

}  // namespace
}  // namespace tracemesh::ingest
