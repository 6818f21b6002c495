// OTLP log bodies decoded into log records: protobuf encoded by protoc
// (independently of our code) from text format, and the JSON mapping; the
// same request in both must give the same records. One named row per rule,
// the invalid inputs included.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ingest/json_log_lines.h"
#include "ingest/otlp_logs_json_decoder.h"
#include "ingest/otlp_logs_protobuf_decoder.h"
#include "ingest/protoc_encode.h"

namespace tracemesh::ingest {
namespace {

// `text` (protobuf text format) encoded by protoc.
std::string protoc_encode(const std::string& text) {
  return testing::protoc_encode("otlp.ExportLogsServiceRequest", text);
}

constexpr const char* trace_hex = "5b8efff798038103d269b633813fc60c";
constexpr const char* span_hex = "eee19b7ec3c1b174";
constexpr const char* uuid = "7b0c9e21-5a1c-4e2f-9a7b-0c1d2e3f4a5b";

// Four records: in a span's context, with a legacy id attribute, naming no
// trace, and one with a time out of range (its trace id of the wrong size is
// no id, but the time rejects it).
const std::string protobuf_request = R"(resource_logs {
  resource { attributes { key: "service.name" value { string_value: "billing" } } }
  scope_logs {
    log_records {
      time_unix_nano: 1796670600000000001
      severity_number: 17
      body { string_value: "card declined" }
      attributes { key: "order.id" value { int_value: 42 } }
      trace_id: "\x5b\x8e\xff\xf7\x98\x03\x81\x03\xd2\x69\xb6\x33\x81\x3f\xc6\x0c"
      span_id: "\xee\xe1\x9b\x7e\xc3\xc1\xb1\x74"
    }
    log_records {
      observed_time_unix_nano: 1796670600000000002
      severity_text: "Information"
      body { kvlist_value { values { key: "event" value { string_value: "login" } } } }
      attributes { key: "x_trace_id" value { string_value: "7b0c9e21-5a1c-4e2f-9a7b-0c1d2e3f4a5b" } }
    }
    log_records { time_unix_nano: 1796670600000000003 body { string_value: "startup" } }
    log_records { time_unix_nano: 18446744073709551615 trace_id: "\x01\x02\x03" }
  }
})";

const std::string json_request = R"({"resourceLogs":[{
  "resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},
  "scopeLogs":[{"logRecords":[
    {"timeUnixNano":"1796670600000000001","severityNumber":17,"body":{"stringValue":"card declined"},
     "attributes":[{"key":"order.id","value":{"intValue":"42"}}],
     "traceId":"5B8EFFF798038103D269B633813FC60C","spanId":"eee19b7ec3c1b174"},
    {"observedTimeUnixNano":1796670600000000002,"severityText":"Information",
     "body":{"kvlistValue":{"values":[{"key":"event","value":{"stringValue":"login"}}]}},
     "attributes":[{"key":"x_trace_id","value":{"stringValue":"7b0c9e21-5a1c-4e2f-9a7b-0c1d2e3f4a5b"}}]},
    {"timeUnixNano":"1796670600000000003","body":{"stringValue":"startup"}},
    {"timeUnixNano":"18446744073709551615","traceId":"010203"}
  ]}]}]})";

void expect_decoded(const DecodedLogs& logs) {
  ASSERT_EQ(logs.records.size(), 2U);
  EXPECT_EQ(logs.unlinked, 1U);
  EXPECT_EQ(logs.rejected, 1U);
  EXPECT_NE(logs.rejection_message.find("log record 3: "), std::string::npos)
      << logs.rejection_message;

  const model::LogRecord& error = logs.records[0];
  EXPECT_EQ(error.trace_id.to_hex(), trace_hex);
  EXPECT_EQ(error.span_id.to_hex(), span_hex);
  EXPECT_EQ(error.logged_id, trace_hex);
  EXPECT_EQ(error.service, "billing");
  EXPECT_EQ(error.time_unix_nano, 1796670600000000001ULL);
  EXPECT_EQ(error.severity, "ERROR");  // from severity_number 17
  EXPECT_EQ(error.body, "card declined");
  EXPECT_EQ(error.attributes, R"({"order.id":42})");

  const model::LogRecord& legacy = logs.records[1];
  EXPECT_EQ(legacy.trace_id, *logged_trace_id(uuid));  // mapped as the SDK maps X-Trace-ID
  EXPECT_EQ(legacy.logged_id, uuid);
  EXPECT_FALSE(legacy.span_id.is_valid());
  EXPECT_EQ(legacy.time_unix_nano, 1796670600000000002ULL);  // the observed time
  EXPECT_EQ(legacy.severity, "Information");
  EXPECT_EQ(legacy.body, R"({"event":"login"})");
}

TEST(OtlpLogsDecoder, ProtobufKeepsTheRecordsThatNameATrace) {
  const auto decoded = decode_otlp_logs_protobuf(protoc_encode(protobuf_request));
  ASSERT_TRUE(decoded) << decoded.error().text();
  expect_decoded(*decoded);
}

TEST(OtlpLogsDecoder, JsonGivesTheSameRecords) {
  const auto decoded = decode_otlp_logs_json(json_request);
  ASSERT_TRUE(decoded) << decoded.error().text();
  expect_decoded(*decoded);
}

TEST(OtlpLogsDecoder, RefusesMalformedRequests) {
  struct Row {
    const char* name;
    std::string body;
    const char* message;
  };
  const Row json_rows[] = {
      {"not_json", "{not json", "malformed JSON"},
      {"not_an_object", "[1]", "must be an object"},
      {"resource_logs_not_array", R"({"resourceLogs":{}})", "resourceLogs"},
  };
  for (const Row& row : json_rows) {
    SCOPED_TRACE(row.name);
    const auto decoded = decode_otlp_logs_json(row.body);
    ASSERT_FALSE(decoded);
    EXPECT_NE(std::string(decoded.error().text()).find(row.message), std::string::npos)
        << decoded.error().text();
  }
  const auto garbage = decode_otlp_logs_protobuf(std::string("\xff\xff\xff", 3));
  ASSERT_FALSE(garbage);
  EXPECT_NE(std::string(garbage.error().text()).find("ExportLogsServiceRequest"),
            std::string::npos);
}

TEST(OtlpLogsDecoder, RejectsBadRecordsOneByOne) {
  struct Row {
    const char* name;
    std::string record;
    const char* reason;
  };
  const Row rows[] = {
      {"trace_id_not_a_string", R"({"traceId":5})", "traceId"},
      {"severity_as_name",
       R"({"traceId":"5b8efff798038103d269b633813fc60c","severityNumber":"ERROR"})",
       "severityNumber"},
      {"time_out_of_range",
       R"({"traceId":"5b8efff798038103d269b633813fc60c","timeUnixNano":"18446744073709551615"})",
       "out of range"},
      {"not_an_object", "7", "must be an object"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto decoded = decode_otlp_logs_json(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)" +
                                               row.record + "]}]}]}");
    ASSERT_TRUE(decoded) << decoded.error().text();
    EXPECT_EQ(decoded->rejected, 1U);
    EXPECT_TRUE(decoded->records.empty());
    EXPECT_NE(decoded->rejection_message.find(row.reason), std::string::npos)
        << decoded->rejection_message;
  }
}

TEST(OtlpLogsDecoder, AnInvalidIdIsNoIdNotARejection) {
  // logs.proto: an id of the wrong size or all zeros means the record is not
  // associated with a trace; a legacy id in its attributes still names one.
  const char* records[] = {
      R"({"traceId":"abcd"})",
      R"({"traceId":"00000000000000000000000000000000"})",
      R"({"traceId":"00000000000000000000000000000000","spanId":"0000000000000000"})",
      R"({"traceId":"5b8efff798038103d269b633813fc60c","spanId":"12"})",
  };
  for (const char* record : records) {
    SCOPED_TRACE(record);
    const auto decoded = decode_otlp_logs_json(
        std::string(R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[)") + record + "]}]}]}");
    ASSERT_TRUE(decoded) << decoded.error().text();
    EXPECT_EQ(decoded->rejected, 0U);
    EXPECT_EQ(decoded->records.size() + decoded->unlinked, 1U);
  }
  const auto zero_with_legacy = decode_otlp_logs_protobuf(protoc_encode(R"(resource_logs {
  scope_logs { log_records {
    trace_id: "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    attributes { key: "request_id" value { string_value: "r-7" } } } } })"));
  ASSERT_TRUE(zero_with_legacy);
  ASSERT_EQ(zero_with_legacy->records.size(), 1U);
  EXPECT_EQ(zero_with_legacy->records[0].trace_id, *logged_trace_id("r-7"));
  EXPECT_EQ(zero_with_legacy->rejected, 0U);
}

TEST(OtlpLogsDecoder, CutsLongBodies) {
  const std::string body(100'000, 'x');
  const auto decoded = decode_otlp_logs_json(
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"5b8efff798038103d269b633813fc60c","body":{"stringValue":")" +
      body + R"("}}]}]}]})");
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded->records.size(), 1U);
  EXPECT_EQ(decoded->records[0].body.size(), max_log_body_bytes + 3);  // and "…"
  EXPECT_TRUE(decoded->records[0].body.ends_with("\xE2\x80\xA6"));
}

TEST(OtlpLogsDecoder, HoldsTheRecordLimitAndNamesUnknownServices) {
  DecodeLimits limits;
  limits.max_spans = 2;
  const std::string three = R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{},{},{}]}]}]})";
  const auto over = decode_otlp_logs_json(three, limits);
  ASSERT_FALSE(over);
  EXPECT_NE(std::string(over.error().text()).find("more than 2 log records"), std::string::npos);

  const auto anonymous = decode_otlp_logs_json(
      R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"traceId":"5b8efff798038103d269b633813fc60c"}]}]}]})");
  ASSERT_TRUE(anonymous);
  ASSERT_EQ(anonymous->records.size(), 1U);
  EXPECT_EQ(anonymous->records[0].service, "unknown_service");
  EXPECT_EQ(anonymous->records[0].time_unix_nano, 0U);  // the store gives it the arrival time
}

}  // namespace
}  // namespace tracemesh::ingest
