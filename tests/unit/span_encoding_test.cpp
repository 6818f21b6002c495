// The wire encodings checked by independent decoders: `protoc --decode`
// against a transcription of the OTLP .proto files for protobuf, and a JSON
// parser for OTLP/JSON and Zipkin v2. Ids are chosen so that their bytes are
// printable ASCII ("ABCDEFGHIJKLMNOP"), which protoc prints as text.
#include "tracemesh/span_encoding.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tracemesh/tracemesh.h"

namespace tracemesh {
namespace {

using nlohmann::json;

constexpr char trace_hex[] = "4142434445464748494a4b4c4d4e4f50";       // "ABCDEFGHIJKLMNOP"
constexpr char span_hex[] = "7370616e69643031";                        // "spanid01"
constexpr char parent_hex[] = "706172656e746964";                      // "parentid"
constexpr char link_trace_hex[] = "6c696e6b747261636569643a30313233";  // "linktraceid:0123"
constexpr char link_span_hex[] = "6c696e6b7370616e";                   // "linkspan"

std::vector<std::unique_ptr<SpanData>> sample_batch() {
  auto resource =
      std::make_shared<const Resource>(Attributes{{"service.name", "checkout"}, {"host.cores", 2}});
  auto scope = std::make_shared<const InstrumentationScope>(InstrumentationScope{"tm", "1.2"});
  auto span = std::make_unique<SpanData>();
  span->context.trace_id = *TraceId::from_hex(trace_hex);
  span->context.span_id = *SpanId::from_hex(span_hex);
  span->context.flags = TraceFlags(0x01);
  span->context.trace_state = *TraceState::parse("rojo=00f067aa0ba902b7");
  span->context.legacy_trace_id = std::make_shared<const std::string>("req-42");
  span->parent_span_id = *SpanId::from_hex(parent_hex);
  span->parent_is_remote = true;
  span->name = "GET /cart";
  span->kind = SpanKind::client;
  span->start_unix_nano = 1700000000000000000;
  span->end_unix_nano = 1700000000250000000;
  span->attributes = {{"http.response.status_code", 503},
                      {"retry", true},
                      {"ratio", 0.5},
                      {"tags", std::vector<std::string>{"a", "b"}}};
  span->events = {Event{"retry", 1700000000100000000, {{"attempt", 2}}}};
  SpanContext linked;
  linked.trace_id = *TraceId::from_hex(link_trace_hex);
  linked.span_id = *SpanId::from_hex(link_span_hex);
  linked.is_remote = true;
  span->links = {Link{linked, {{"kind", "follows"}}}};
  span->status = Status{StatusCode::error, "upstream down"};
  span->dropped_attributes = 3;
  span->resource = resource;
  span->scope = scope;

  auto internal = std::make_unique<SpanData>();
  internal->context.trace_id = span->context.trace_id;
  internal->context.span_id = *SpanId::from_hex("0000000000000001");
  internal->name = "work";
  internal->start_unix_nano = 1700000000000001000;
  internal->end_unix_nano = 1700000000000002000;
  internal->resource = resource;
  internal->scope = scope;

  std::vector<std::unique_ptr<SpanData>> batch;
  batch.push_back(std::move(span));
  batch.push_back(std::move(internal));
  return batch;
}

std::string run(const std::string& command) {
  std::string output;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return output;
  std::array<char, 4096> buffer{};
  for (std::size_t read = 0;
       (read = std::fread(buffer.data(), 1, buffer.size(), pipe.get())) > 0;) {
    output.append(buffer.data(), read);
  }
  return output;
}

// Return `bytes` decoded by protoc as message `type` of src/ingest/otlp_trace.proto.
std::string protoc_decode(const std::string& bytes, const std::string& type) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("tracemesh-encoding-" + std::to_string(::getpid()) + ".bin");
  std::ofstream(path, std::ios::binary) << bytes;
  const std::string schema = std::string(TRACEMESH_SOURCE_DIR) + "/src/ingest";
  std::string text = run(std::string(TRACEMESH_PROTOC) + " --decode=otlp." + type + " -I " +
                         schema + " " + schema + "/otlp_trace.proto < " + path.string() + " 2>&1");
  std::filesystem::remove(path);
  return text;
}

TEST(OtlpProtobuf, DecodesFieldByFieldWithProtoc) {
  const auto batch = sample_batch();
  const std::string decoded =
      protoc_decode(encode_otlp_protobuf(batch), "ExportTraceServiceRequest");
  const char* expected = R"(resource_spans {
  resource {
    attributes {
      key: "service.name"
      value {
        string_value: "checkout"
      }
    }
    attributes {
      key: "host.cores"
      value {
        int_value: 2
      }
    }
  }
  scope_spans {
    scope {
      name: "tm"
      version: "1.2"
    }
    spans {
      trace_id: "ABCDEFGHIJKLMNOP"
      span_id: "spanid01"
      trace_state: "rojo=00f067aa0ba902b7"
      parent_span_id: "parentid"
      name: "GET /cart"
      kind: SPAN_KIND_CLIENT
      start_time_unix_nano: 1700000000000000000
      end_time_unix_nano: 1700000000250000000
      attributes {
        key: "http.response.status_code"
        value {
          int_value: 503
        }
      }
      attributes {
        key: "retry"
        value {
          bool_value: true
        }
      }
      attributes {
        key: "ratio"
        value {
          double_value: 0.5
        }
      }
      attributes {
        key: "tags"
        value {
          array_value {
            values {
              string_value: "a"
            }
            values {
              string_value: "b"
            }
          }
        }
      }
      attributes {
        key: "tracemesh.legacy_trace_id"
        value {
          string_value: "req-42"
        }
      }
      dropped_attributes_count: 3
      events {
        time_unix_nano: 1700000000100000000
        name: "retry"
        attributes {
          key: "attempt"
          value {
            int_value: 2
          }
        }
      }
      links {
        trace_id: "linktraceid:0123"
        span_id: "linkspan"
        attributes {
          key: "kind"
          value {
            string_value: "follows"
          }
        }
        flags: 768
      }
      status {
        message: "upstream down"
        code: STATUS_CODE_ERROR
      }
      flags: 769
    }
    spans {
      trace_id: "ABCDEFGHIJKLMNOP"
      span_id: "\000\000\000\000\000\000\000\001"
      name: "work"
      kind: SPAN_KIND_INTERNAL
      start_time_unix_nano: 1700000000000001000
      end_time_unix_nano: 1700000000000002000
      flags: 256
    }
  }
}
)";
  EXPECT_EQ(decoded, expected);
}

TEST(OtlpProtobuf, SpansOfDifferentResourcesGoToSeparateResourceSpans) {
  auto batch = sample_batch();
  batch[1]->resource = std::make_shared<const Resource>(Attributes{{"service.name", "other"}});
  const std::string decoded =
      protoc_decode(encode_otlp_protobuf(batch), "ExportTraceServiceRequest");
  std::size_t groups = 0;
  for (auto at = decoded.find("\nresource_spans {"); at != std::string::npos;
       at = decoded.find("\nresource_spans {", at + 1)) {
    ++groups;
  }
  EXPECT_TRUE(decoded.starts_with("resource_spans {"));
  EXPECT_EQ(groups + 1, 2U) << decoded;
  EXPECT_NE(decoded.find(R"(string_value: "other")"), std::string::npos);
}

TEST(OtlpProtobuf, EmptyBatchIsAnEmptyRequest) {
  EXPECT_EQ(encode_otlp_protobuf({}), "");
}

TEST(OtlpJson, FollowsTheOtlpJsonMapping) {
  const auto batch = sample_batch();
  const json request = json::parse(encode_otlp_json(batch));
  const json& resource_spans = request.at("resourceSpans");
  ASSERT_EQ(resource_spans.size(), 1U);
  EXPECT_EQ(resource_spans[0]["resource"]["attributes"][0],
            json::parse(R"({"key":"service.name","value":{"stringValue":"checkout"}})"));
  EXPECT_EQ(resource_spans[0]["resource"]["attributes"][1]["value"],
            json::parse(R"({"intValue":"2"})"));
  const json& scope_spans = resource_spans[0]["scopeSpans"][0];
  EXPECT_EQ(scope_spans["scope"], json::parse(R"({"name":"tm","version":"1.2"})"));
  const json& span = scope_spans["spans"][0];
  EXPECT_EQ(span["traceId"], trace_hex);
  EXPECT_EQ(span["spanId"], span_hex);
  EXPECT_EQ(span["parentSpanId"], parent_hex);
  EXPECT_EQ(span["traceState"], "rojo=00f067aa0ba902b7");
  EXPECT_EQ(span["flags"], 769);
  EXPECT_EQ(span["name"], "GET /cart");
  EXPECT_EQ(span["kind"], 3);
  EXPECT_EQ(span["startTimeUnixNano"], "1700000000000000000");
  EXPECT_EQ(span["endTimeUnixNano"], "1700000000250000000");
  EXPECT_EQ(span["attributes"][0]["value"], json::parse(R"({"intValue":"503"})"));
  EXPECT_EQ(span["attributes"][1]["value"], json::parse(R"({"boolValue":true})"));
  EXPECT_EQ(span["attributes"][2]["value"], json::parse(R"({"doubleValue":0.5})"));
  EXPECT_EQ(span["attributes"][3]["value"],
            json::parse(R"({"arrayValue":{"values":[{"stringValue":"a"},{"stringValue":"b"}]}})"));
  EXPECT_EQ(span["attributes"][4],
            json::parse(R"({"key":"tracemesh.legacy_trace_id","value":{"stringValue":"req-42"}})"));
  EXPECT_EQ(span["droppedAttributesCount"], 3);
  EXPECT_EQ(span["events"][0]["timeUnixNano"], "1700000000100000000");
  EXPECT_EQ(span["events"][0]["name"], "retry");
  EXPECT_EQ(span["links"][0]["traceId"], link_trace_hex);
  EXPECT_EQ(span["links"][0]["spanId"], link_span_hex);
  EXPECT_EQ(span["links"][0]["flags"], 768);
  EXPECT_EQ(span["status"], json::parse(R"({"code":2,"message":"upstream down"})"));
  const json& internal = scope_spans["spans"][1];
  EXPECT_FALSE(internal.contains("parentSpanId"));
  EXPECT_EQ(internal["kind"], 1);
  EXPECT_EQ(internal["status"], json::object());
}

TEST(OtlpJson, EscapesStringsAndKeepsInvalidUtf8Valid) {
  auto batch = sample_batch();
  batch[0]->name = "quote\" newline\n bad\xff";
  const json request = json::parse(encode_otlp_json(batch));  // throws on invalid JSON / UTF-8
  EXPECT_EQ(request["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["name"],
            "quote\" newline\n bad\xEF\xBF\xBD");
}

TEST(ZipkinJson, FollowsTheZipkinV2Model) {
  const auto batch = sample_batch();
  const json spans = json::parse(encode_zipkin_json(batch));
  ASSERT_EQ(spans.size(), 2U);
  const json& span = spans[0];
  EXPECT_EQ(span["traceId"], trace_hex);
  EXPECT_EQ(span["id"], span_hex);
  EXPECT_EQ(span["parentId"], parent_hex);
  EXPECT_EQ(span["name"], "GET /cart");
  EXPECT_EQ(span["kind"], "CLIENT");
  EXPECT_EQ(span["timestamp"], 1700000000000000);
  EXPECT_EQ(span["duration"], 250000);
  EXPECT_EQ(span["localEndpoint"]["serviceName"], "checkout");
  EXPECT_EQ(span["annotations"][0],
            json::parse(R"({"timestamp":1700000000100000,"value":"retry"})"));
  EXPECT_EQ(span["tags"]["http.response.status_code"], "503");
  EXPECT_EQ(span["tags"]["retry"], "true");
  EXPECT_EQ(span["tags"]["ratio"], "0.5");
  EXPECT_EQ(span["tags"]["tags"], R"(["a","b"])");
  EXPECT_EQ(span["tags"]["tracemesh.legacy_trace_id"], "req-42");
  EXPECT_EQ(span["tags"]["otel.status_code"], "ERROR");
  EXPECT_EQ(span["tags"]["error"], "upstream down");
  EXPECT_FALSE(spans[1].contains("kind"));  // internal spans have no Zipkin kind
  EXPECT_FALSE(spans[1].contains("parentId"));
  EXPECT_EQ(spans[1]["duration"], 1);
}

}  // namespace
}  // namespace tracemesh
