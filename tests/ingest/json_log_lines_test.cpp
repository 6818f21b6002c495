// Reading JSON-lines logs: every field name the reader knows, the prefixes
// `docker compose logs` and `docker logs --timestamps` add, and the lines it
// skips (counted, never fatal). Ids map as the SDK's legacy propagation maps
// them, so a logged UUID and a span of the same request share a trace id.
#include "ingest/json_log_lines.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "tracemesh/carrier.h"
#include "tracemesh/legacy_propagator.h"

namespace {

using tracemesh::TraceId;
using tracemesh::ingest::JsonLogReader;
using tracemesh::ingest::LogFieldNames;
using tracemesh::ingest::logged_trace_id;
using tracemesh::ingest::LogLineCounts;

constexpr const char* uuid = "7b0c9e21-5a1c-4e2f-9a7b-0c1d2e3f4a5b";
constexpr const char* uuid_hex = "7b0c9e215a1c4e2f9a7b0c1d2e3f4a5b";
constexpr std::uint64_t base = 1'796'670'600ULL * 1'000'000'000ULL;  // 2026-12-07T19:10:00Z

// The trace id the SDK's X-Trace-ID extraction gives `value`.
std::string sdk_trace_id(const std::string& value) {
  const std::vector<std::pair<std::string, std::string>> headers = {{"X-Trace-ID", value}};
  const tracemesh::LegacyPropagator propagator;
  const auto context = propagator.extract(tracemesh::SequenceReader(headers), {});
  return context ? context->span_context().trace_id.to_hex() : "";
}

TEST(JsonLogLines, FindsTheTraceIdUnderEveryUsualName) {
  const char* names[] = {"trace_id",      "traceId",    "traceID",      "otelTraceID",
                         "x_trace_id",    "x-trace-id", "xTraceId",     "request_id",
                         "requestId",     "requestID",  "x_request_id", "x-request-id",
                         "correlation_id"};
  const JsonLogReader reader;
  for (const char* name : names) {
    SCOPED_TRACE(name);
    LogLineCounts counts;
    const std::string line = std::string(R"({"ts":"2026-12-07T19:10:00Z","service":"a",")") + name +
                             R"(":")" + uuid + R"("})";
    const auto record = reader.read(line, "f:1", counts);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->trace_id.to_hex(), uuid_hex);
    EXPECT_EQ(record->logged_id, uuid);
    EXPECT_EQ(counts.with_trace_id, 1U);
  }
}

TEST(JsonLogLines, ReadsDottedNamesFlatOrNested) {
  const JsonLogReader reader;
  LogLineCounts counts;
  const auto flat = reader.read(
      R"({"@timestamp":"2026-12-07T19:10:00Z","service.name":"flat","trace.id":"abc-1"})", "",
      counts);
  ASSERT_TRUE(flat.has_value());
  EXPECT_EQ(flat->service, "flat");
  EXPECT_EQ(flat->logged_id, "abc-1");
  // Elastic Common Schema nests them.
  const auto nested = reader.read(
      R"({"@timestamp":"2026-12-07T19:10:00Z","service":{"name":"nested"},"trace":{"id":"abc-2"},)"
      R"("log":{"level":"warn"}})",
      "", counts);
  ASSERT_TRUE(nested.has_value());
  EXPECT_EQ(nested->service, "nested");
  EXPECT_EQ(nested->logged_id, "abc-2");
  EXPECT_EQ(nested->severity, "warn");
}

TEST(JsonLogLines, FindsTheServiceAndTimeUnderEveryUsualName) {
  const JsonLogReader reader;
  for (const char* name : {"service", "service.name", "service_name", "serviceName",
                           "otelServiceName", "app", "application"}) {
    SCOPED_TRACE(name);
    LogLineCounts counts;
    const auto record =
        reader.read(std::string(R"({"ts":1796670600,")") + name + R"(":"billing"})", "", counts);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->service, "billing");
  }
  struct Row {
    const char* name;
    const char* field;
    std::uint64_t nanos;
  };
  const Row rows[] = {
      {"ts_rfc3339", R"("ts":"2026-12-07T19:10:00.5Z")", base + 500'000'000},
      {"timestamp_millis", R"("timestamp":1796670600500)", base + 500'000'000},
      {"time_seconds_fraction", R"("time":1796670600.5)", base + 500'000'000},
      {"zap_float_seconds_exact_to_the_microsecond", R"("ts":1796670600.123)", base + 123'000'000},
      {"at_timestamp", R"("@timestamp":"2026-12-07T20:10:00+01:00")", base},
      {"asctime", R"("asctime":"2026-12-07 19:10:00,500")", base + 500'000'000},
      {"epoch_as_text", R"("ts":"1796670600")", base},
      {"nanos", R"("time":1796670600000000001)", base + 1},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    LogLineCounts counts;
    const auto record =
        reader.read(std::string(R"({"service":"a",)") + row.field + "}", "", counts);
    ASSERT_TRUE(record.has_value());
    EXPECT_NEAR(static_cast<double>(record->time_unix_nano), static_cast<double>(row.nanos), 1e3);
  }
}

TEST(JsonLogLines, ReadsTheFieldsItIsToldInsteadOfTheUsualOnes) {
  const JsonLogReader reader(LogFieldNames{"ctx.rid", "component", "when"});
  LogLineCounts counts;
  const auto record =
      reader.read(R"({"when":"2026-12-07T19:10:00Z","component":"edge","ctx":{"rid":"r-9"},)"
                  R"("trace_id":"ignored","service":"ignored","ts":"2000-01-01T00:00:00Z"})",
                  "", counts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->service, "edge");
  EXPECT_EQ(record->logged_id, "r-9");
  EXPECT_EQ(record->time_unix_nano, base);
  // A named field that is missing is missing: no fallback to the usual names.
  const auto missing =
      reader.read(R"({"ts":"2026-12-07T19:10:00Z","component":"edge"})", "", counts);
  EXPECT_FALSE(missing.has_value());
  EXPECT_EQ(counts.no_time, 1U);
}

TEST(JsonLogLines, ReadsDockerComposeAndDockerLogsPrefixes) {
  const JsonLogReader reader;
  struct Row {
    const char* name;
    std::string line;
    const char* service;
    std::uint64_t nanos;
  };
  const std::string json = R"({"ts":"2026-12-07T19:10:00Z","trace_id":"t-1"})";
  const std::string untimed = R"({"trace_id":"t-1"})";
  const Row rows[] = {
      {"compose_v2", "ingest-1  | " + json, "ingest", base},
      {"compose_v1", "ui_iot_1   | " + json, "ui_iot", base},
      {"compose_project_name", "store-db-12 | " + json, "store-db", base},
      {"compose_colours", "\x1b[36mingest-1  |\x1b[0m " + json, "ingest", base},
      {"compose_timestamps", "ingest-1  | 2026-12-07T19:10:01.000000000Z " + untimed, "ingest",
       base + 1'000'000'000},
      {"field_wins_over_prefix",
       R"(ingest-1  | {"ts":"2026-12-07T19:10:00Z","service":"named","trace_id":"t"})", "named",
       base},
      {"no_replica_suffix", "worker  | " + json, "worker", base},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    LogLineCounts counts;
    const auto record = reader.read(row.line, "", counts);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->service, row.service);
    EXPECT_EQ(record->time_unix_nano, row.nanos);
  }
  // `docker logs --timestamps` of one container: the time, no service.
  const JsonLogReader with_default({}, "ingest");
  LogLineCounts counts;
  const auto record = with_default.read("2026-12-07T19:10:02Z " + untimed, "", counts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->service, "ingest");
  EXPECT_EQ(record->time_unix_nano, base + 2'000'000'000);
}

TEST(JsonLogLines, SkipsAndCountsWhatItCannotUse) {
  const JsonLogReader reader;
  LogLineCounts counts;
  const std::string lines[] = {
      "",
      "   ",
      "Traceback (most recent call last):",
      "ingest-1  | Traceback (most recent call last):",
      "[1, 2, 3]",
      R"({"ts":"2026-12-07T19:10:00Z", "service": )",                  // cut short
      R"({"service":"a","trace_id":"t"})",                             // no time
      R"({"ts":"soon","service":"a","trace_id":"t"})",                 // unreadable time
      R"({"ts":"2026-12-07T19:10:00Z","trace_id":"t"})",               // no service
      R"({"ts":"2026-12-07T19:10:00Z","service":"","trace_id":"t"})",  // empty service
      std::string(R"({"ts":"2026-12-07T19:10:00Z","service":"a","pad":")") +
          std::string(tracemesh::ingest::max_log_line_bytes, 'x') + "\"}",
      R"({"ts":"2026-12-07T19:10:00Z","service":"a"})",  // a record naming no id
  };
  std::size_t records = 0;
  for (const std::string& line : lines) records += reader.read(line, "", counts) ? 1U : 0U;
  EXPECT_EQ(records, 1U);
  EXPECT_EQ(counts.lines, 12U);
  EXPECT_EQ(counts.blank, 2U);
  EXPECT_EQ(counts.not_json, 4U);
  EXPECT_EQ(counts.no_time, 2U);
  EXPECT_EQ(counts.no_service, 2U);
  EXPECT_EQ(counts.too_long, 1U);
  EXPECT_EQ(counts.records, 1U);
  EXPECT_EQ(counts.with_trace_id, 0U);
  EXPECT_EQ(counts.skipped(), 9U);
}

TEST(JsonLogLines, MapsIdsAsTheSdkMapsLegacyHeaders) {
  struct Row {
    const char* name;
    std::string logged;
  };
  const Row rows[] = {
      {"uuid", uuid},
      {"uuid_upper", "7B0C9E21-5A1C-4E2F-9A7B-0C1D2E3F4A5B"},
      {"hex32", "4bf92f3577b34da6a3ce929d0e0e4736"},
      {"free_text", "req-42"},
      {"number", "123456"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const auto mapped = logged_trace_id(row.logged);
    ASSERT_TRUE(mapped.has_value());
    EXPECT_EQ(mapped->to_hex(), sdk_trace_id(row.logged));
  }
  // A W3C traceparent names its trace id.
  EXPECT_EQ(logged_trace_id("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")->to_hex(),
            "4bf92f3577b34da6a3ce929d0e0e4736");
  // Numbers are ids too, by their text.
  const JsonLogReader reader;
  LogLineCounts counts;
  const auto record =
      reader.read(R"({"ts":"2026-12-07T19:10:00Z","service":"a","request_id":123456})", "", counts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->trace_id.to_hex(), sdk_trace_id("123456"));
}

TEST(JsonLogLines, PlaceholdersNameNoId) {
  for (const char* value :
       {"", " ", "-", "null", "None", "undefined", "unknown", "N/A", "0", "0000000000000000",
        "00000000-0000-0000-0000-000000000000", "00000000000000000000000000000000",
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}) {
    SCOPED_TRACE(value);
    EXPECT_FALSE(logged_trace_id(value).has_value());
  }
  const JsonLogReader reader;
  LogLineCounts counts;
  // A placeholder under one name does not hide a real id under the next.
  const auto record = reader.read(
      R"({"ts":"2026-12-07T19:10:00Z","service":"a","trace_id":"-","request_id":"r-1"})", "",
      counts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->logged_id, "r-1");
  const auto none =
      reader.read(R"({"ts":"2026-12-07T19:10:00Z","service":"a","trace_id":null})", "", counts);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_trace_id());
}

TEST(JsonLogLines, ReadsSerilogAndDotNetNamesAndSkipsAByteOrderMark) {
  const JsonLogReader reader({}, "api");
  LogLineCounts counts;
  const auto serilog =
      reader.read(R"({"@t":"2026-12-07T19:10:00.0000000Z","@mt":"Handled {Path}","@l":"Warning",)"
                  R"("@tr":"4bf92f3577b34da6a3ce929d0e0e4736","@sp":"00f067aa0ba902b7"})",
                  "", counts);
  ASSERT_TRUE(serilog.has_value());
  EXPECT_EQ(serilog->trace_id.to_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(serilog->span_id.to_hex(), "00f067aa0ba902b7");
  EXPECT_EQ(serilog->severity, "Warning");
  EXPECT_EQ(serilog->time_unix_nano, base);
  const auto dotnet = reader.read(
      R"({"Timestamp":"2026-12-07T20:10:00+01","TraceId":"t-1","Message":"ok"})", "", counts);
  ASSERT_TRUE(dotnet.has_value());
  EXPECT_EQ(dotnet->logged_id, "t-1");
  EXPECT_EQ(dotnet->time_unix_nano, base);
  const auto bom = reader.read(
      "\xEF\xBB\xBF"
      R"({"ts":"2026-12-07T19:10:00Z","trace_id":"t"})",
      "", counts);
  ASSERT_TRUE(bom.has_value());
  EXPECT_EQ(counts.not_json, 0U);
}

TEST(JsonLogLines, KeepsTheMessageLevelSpanAndSource) {
  const JsonLogReader reader;
  LogLineCounts counts;
  const auto record = reader.read(
      R"({"ts":"2026-12-07T19:10:00Z","service":"a","trace_id":"t","span_id":"00F067AA0BA902B7",)"
      R"("level":"error","msg":"upstream timed out"})",
      "app.log:7", counts);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->span_id.to_hex(), "00f067aa0ba902b7");
  EXPECT_EQ(record->severity, "error");
  EXPECT_EQ(record->body, "upstream timed out");
  EXPECT_EQ(record->source, "app.log:7");
}

}  // namespace
