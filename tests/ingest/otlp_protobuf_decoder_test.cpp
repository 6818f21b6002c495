// OTLP protobuf bodies encoded by protoc (independently of our code) from
// text format, then decoded by the ingest layer.
#include "ingest/otlp_protobuf_decoder.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ingest/protoc_encode.h"

namespace tracemesh::ingest {
namespace {

using nlohmann::json;

// `text` (protobuf text format) encoded by protoc.
std::string protoc_encode(const std::string& text) {
  return testing::protoc_encode("otlp.ExportTraceServiceRequest", text);
}

constexpr char trace_bytes[] =
    R"(trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c")";

std::string request(const std::string& spans) {
  return R"(resource_spans {
  resource { attributes { key: "service.name" value { string_value: "payments" } } }
  scope_spans { scope { name: "io.lib" } )" +
         spans + "} }";
}

TEST(OtlpProtobufDecoder, DecodesWhatProtocEncodes) {
  const std::string body = protoc_encode(request(std::string(R"(spans {
    )") + trace_bytes + R"(
    span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
    parent_span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x73"
    name: "publish alerts"
    kind: SPAN_KIND_PRODUCER
    start_time_unix_nano: 1700000000000000000
    end_time_unix_nano: 1700000000250000000
    attributes { key: "messaging.system" value { string_value: "mqtt" } }
    attributes { key: "messaging.destination.name" value { string_value: "alerts/new" } }
    attributes { key: "retries" value { int_value: -3 } }
    attributes { key: "payload" value { bytes_value: "\x01\x02\x03\x04" } }
    attributes { key: "list" value { array_value { values { double_value: 1.5 } values { bool_value: false } } } }
    events { time_unix_nano: 1700000000100000000 name: "queued" }
    links { trace_id: "\x0a\xf7\x65\x19\x16\xcd\x43\xdd\x84\x48\xeb\x21\x1c\x80\x31\x9c" span_id: "\xb7\xad\x6b\x71\x69\x20\x33\x31" flags: 257 }
    status { code: STATUS_CODE_OK message: "" }
    flags: 256
  })"));
  const auto decoded = decode_otlp_protobuf(body);
  ASSERT_TRUE(decoded) << decoded.error().text();
  ASSERT_EQ(decoded->spans.size(), 1U);
  const model::SpanRecord& record = decoded->spans[0];
  EXPECT_EQ(record.trace_id.to_hex(), "5b8efff798038103d269b633813fc60c");
  EXPECT_EQ(record.span_id.to_hex(), "eee19b7ec3c1b174");
  EXPECT_EQ(record.parent_span_id.to_hex(), "eee19b7ec3c1b173");
  EXPECT_EQ(record.service, "payments");
  EXPECT_EQ(record.scope_name, "io.lib");
  EXPECT_EQ(record.kind, model::SpanKind::producer);
  EXPECT_EQ(record.start_unix_nano, 1700000000000000000U);
  EXPECT_EQ(record.end_unix_nano, 1700000000250000000U);
  EXPECT_EQ(record.status_code, model::StatusCode::ok);
  EXPECT_EQ(json::parse(record.attributes_json),
            json::parse(R"({"messaging.system":"mqtt","messaging.destination.name":"alerts/new",
              "retries":-3,"payload":"AQIDBA==","list":[1.5,false]})"));
  EXPECT_EQ(
      json::parse(record.events_json),
      json::parse(R"([{"time_unix_nano":1700000000100000000,"name":"queued","attributes":{}}])"));
  EXPECT_EQ(json::parse(record.links_json)[0]["span_id"], "b7ad6b7169203331");
  EXPECT_EQ(json::parse(record.links_json)[0]["flags"], 257);
  ASSERT_EQ(record.links.size(), 1U);
  EXPECT_EQ(record.links[0].span_id.to_hex(), "b7ad6b7169203331");
  // Flags known (0x100) with the sampled bit off: the context went out unsampled.
  EXPECT_EQ(record.flags, 256U);
  EXPECT_TRUE(record.known_unsampled());
  EXPECT_EQ(record.destination.messaging_system, "mqtt");
  EXPECT_EQ(record.destination.messaging_destination, "alerts/new");
}

TEST(OtlpProtobufDecoder, RejectsSpansWithBadIdsAndKeepsTheRest) {
  const std::string good =
      std::string("spans { ") + trace_bytes + R"( span_id: "\x01\x02\x03\x04\x05\x06\x07\x08" })";
  struct Row {
    const char* name;
    std::string span;
    const char* reason;
  };
  const Row rows[] = {
      {"short_trace_id",
       R"(spans { trace_id: "\x01\x02" span_id: "\x01\x02\x03\x04\x05\x06\x07\x08" })",
       "trace_id must be 16 bytes, not 2"},
      {"zero_span_id", std::string("spans { ") + trace_bytes + R"( span_id: "\0\0\0\0\0\0\0\0" })",
       "span_id must not be all zero"},
      {"no_span_id", std::string("spans { ") + trace_bytes + " }",
       "span_id must be 8 bytes, not 0"},
      {"long_parent",
       std::string("spans { ") + trace_bytes +
           R"( span_id: "\x01\x02\x03\x04\x05\x06\x07\x08" parent_span_id: "\x01\x02\x03\x04\x05\x06\x07\x08\x09" })",
       "parent_span_id must be 8 bytes"},
      {"start_after_2262",
       std::string("spans { ") + trace_bytes +
           R"( span_id: "\x01\x02\x03\x04\x05\x06\x07\x09" start_time_unix_nano: 9223372036854775808 })",
       "start time is after 2262-04-11"},
      {"end_after_2262",
       std::string("spans { ") + trace_bytes +
           R"( span_id: "\x01\x02\x03\x04\x05\x06\x07\x0a" start_time_unix_nano: 1 end_time_unix_nano: 18446744073709551615 })",
       "end time is after 2262-04-11"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto decoded = decode_otlp_protobuf(protoc_encode(request(good + " " + row.span)));
    ASSERT_TRUE(decoded) << decoded.error().text();
    EXPECT_EQ(decoded->spans.size(), 1U);
    EXPECT_EQ(decoded->rejected, 1U);
    EXPECT_NE(decoded->rejection_message.find(row.reason), std::string::npos)
        << decoded->rejection_message;
  }
}

TEST(OtlpProtobufDecoder, RejectsBytesThatAreNotARequest) {
  for (const std::string& body :
       {std::string("\xff\xff\xff\xff", 4), std::string("\x0a\x05\x01", 3),
        std::string("{\"resourceSpans\":[]}")}) {
    const auto decoded = decode_otlp_protobuf(body);
    ASSERT_FALSE(decoded);
    EXPECT_NE(decoded.error().message.find("malformed protobuf"), std::string::npos);
  }
  EXPECT_TRUE(decode_otlp_protobuf(""));  // an empty request is valid and holds nothing
}

}  // namespace
}  // namespace tracemesh::ingest
