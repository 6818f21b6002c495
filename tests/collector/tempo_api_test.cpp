// The Tempo-shaped query API (/tempo/api/...) of a real `tracemesh collect`,
// checked field by field against Tempo's formats: what Grafana's Tempo data
// source reads (trace by id as OTLP/JSON and as protobuf, search, tags).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "collector_process.h"
#include "ingest/protoc_encode.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::ingest::testing::protoc_decode;
using tracemesh::testing::Collector;
using tracemesh::testing::random_hex;
using tracemesh::testing::TemporaryDirectory;

json attribute(const std::string& key, const json& typed) {
  return {{"key", key}, {"value", typed}};
}

class TempoApi : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(collector_.ready()) << collector_.log();
    const std::uint64_t start = 1'796'670'600'000'000'000;
    const auto at = [&](std::uint64_t ms) { return std::to_string(start + ms * 1'000'000); };
    const json checkout = {
        {{"traceId", trace_},
         {"spanId", root_},
         {"name", "POST /cart"},
         {"kind", 2},
         {"startTimeUnixNano", at(0)},
         {"endTimeUnixNano", at(250)},
         {"attributes",
          {attribute("http.response.status_code", {{"intValue", "503"}}),
           attribute("ratio", {{"doubleValue", 0.5}}), attribute("cached", {{"boolValue", false}}),
           attribute("tags", {{"arrayValue", {{"values", {{{"stringValue", "a"}}}}}}})}},
         {"events",
          {{{"timeUnixNano", at(10)},
            {"name", "retry"},
            {"attributes", {attribute("attempt", {{"intValue", "2"}})}}}}},
         {"links", {{{"traceId", linked_}, {"spanId", "b7ad6b7169203331"}}}},
         {"status", {{"code", 2}, {"message", "stock unavailable"}}}}};
    const json stock = {{{"traceId", trace_},
                         {"spanId", child_},
                         {"parentSpanId", root_},
                         {"name", "GET /stock"},
                         {"kind", 2},
                         {"startTimeUnixNano", at(20)},
                         {"endTimeUnixNano", at(200)}}};
    send("checkout", checkout, "cart-lib");
    send("stock", stock, "");
  }

  void send(const std::string& service, const json& spans, const std::string& scope) {
    const json resource = {attribute("service.name", {{"stringValue", service}}),
                           attribute("deployment.environment", {{"stringValue", "test"}})};
    json scope_spans = {{"spans", spans}};
    if (!scope.empty()) scope_spans["scope"] = {{"name", scope}};
    const json body = {
        {"resourceSpans",
         {{{"resource", {{"attributes", resource}}}, {"scopeSpans", {scope_spans}}}}}};
    const auto response = collector_.post(body.dump(), "application/json");
    ASSERT_TRUE(response);
    ASSERT_EQ(response->status, 200) << response->body;
  }

  json get(const std::string& path) {
    const auto response = collector_.http().Get(path);
    EXPECT_TRUE(response);
    if (!response) return nullptr;
    EXPECT_EQ(response->status, 200) << path << ": " << response->body;
    return json::parse(response->body, nullptr, false);
  }

  // The span named `name` in a list of OTLP/JSON resource spans.
  static json span_named(const json& resource_spans, const std::string& name) {
    for (const json& resource : resource_spans) {
      for (const json& scope : resource["scopeSpans"]) {
        for (const json& span : scope["spans"]) {
          if (span["name"] == name) return span;
        }
      }
    }
    return nullptr;
  }

  TemporaryDirectory directory_;
  Collector collector_{directory_.path()};
  const std::string trace_ = random_hex(32);
  const std::string linked_ = random_hex(32);
  const std::string root_ = random_hex(16);
  const std::string child_ = random_hex(16);
};

TEST_F(TempoApi, EchoesForGrafanasConnectionTest) {
  const auto response = collector_.http().Get("/tempo/api/echo");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "echo");
}

TEST_F(TempoApi, AnswersATraceAsOtlpJson) {
  const json trace = get("/tempo/api/traces/" + trace_);
  ASSERT_TRUE(trace.contains("batches")) << trace.dump();
  ASSERT_EQ(trace["batches"].size(), 2U);
  const json& first = trace["batches"][0];
  EXPECT_EQ(first["resource"]["attributes"],
            json::parse(R"([{"key":"deployment.environment","value":{"stringValue":"test"}},
                            {"key":"service.name","value":{"stringValue":"checkout"}}])"));
  EXPECT_EQ(first["scopeSpans"][0]["scope"]["name"], "cart-lib");

  const json root = span_named(trace["batches"], "POST /cart");
  ASSERT_TRUE(root.is_object()) << trace.dump();
  EXPECT_EQ(root["traceId"], trace_);  // OTLP/JSON: ids in hex
  EXPECT_EQ(root["spanId"], root_);
  EXPECT_FALSE(root.contains("parentSpanId"));
  EXPECT_EQ(root["kind"], 2);
  EXPECT_EQ(root["startTimeUnixNano"], "1796670600000000000");
  EXPECT_EQ(root["endTimeUnixNano"], "1796670600250000000");
  EXPECT_EQ(root["attributes"], json::parse(R"([
      {"key":"cached","value":{"boolValue":false}},
      {"key":"http.response.status_code","value":{"intValue":"503"}},
      {"key":"ratio","value":{"doubleValue":0.5}},
      {"key":"tags","value":{"arrayValue":{"values":[{"stringValue":"a"}]}}}])"));
  ASSERT_EQ(root["events"].size(), 1U);
  EXPECT_EQ(root["events"][0]["name"], "retry");
  EXPECT_EQ(root["events"][0]["timeUnixNano"], "1796670600010000000");
  EXPECT_EQ(root["events"][0]["attributes"][0]["value"]["intValue"], "2");
  ASSERT_EQ(root["links"].size(), 1U);
  EXPECT_EQ(root["links"][0]["traceId"], linked_);
  EXPECT_EQ(root["links"][0]["spanId"], "b7ad6b7169203331");
  EXPECT_EQ(root["status"], json({{"code", 2}, {"message", "stock unavailable"}}));

  const json child = span_named(trace["batches"], "GET /stock");
  EXPECT_EQ(child["parentSpanId"], root_);
  EXPECT_EQ(child["status"], json::object());  // unset

  // v2 wraps the same resource spans: {"trace": {"resourceSpans": [...]}}.
  const json v2 = get("/tempo/api/v2/traces/" + trace_);
  EXPECT_EQ(v2["trace"]["resourceSpans"], trace["batches"]);
}

TEST_F(TempoApi, AnswersATraceAsProtobufWhenAsked) {
  const httplib::Headers accept = {{"Accept", "application/protobuf"}};
  const auto v1 = collector_.http().Get("/tempo/api/traces/" + trace_, accept);
  ASSERT_TRUE(v1);
  ASSERT_EQ(v1->status, 200);
  EXPECT_EQ(v1->get_header_value("Content-Type"), "application/protobuf");
  // tempopb.Trace {batches = 1} has the wire shape of ExportTraceServiceRequest.
  const std::string text = protoc_decode("otlp.ExportTraceServiceRequest", v1->body);
  EXPECT_NE(text.find("name: \"POST /cart\""), std::string::npos) << text;
  EXPECT_NE(text.find("kind: SPAN_KIND_SERVER"), std::string::npos) << text;
  EXPECT_NE(text.find("int_value: 503"), std::string::npos) << text;
  EXPECT_NE(text.find("start_time_unix_nano: 1796670600000000000"), std::string::npos) << text;
  EXPECT_NE(text.find("message: \"stock unavailable\""), std::string::npos) << text;
  EXPECT_NE(text.find("string_value: \"stock\""), std::string::npos) << text;

  // v2: tempopb.TraceByIDResponse {trace = 1}: the same Trace inside field 1.
  const auto v2 = collector_.http().Get("/tempo/api/v2/traces/" + trace_, accept);
  ASSERT_TRUE(v2);
  ASSERT_GT(v2->body.size(), 3U);
  EXPECT_EQ(v2->body[0], '\x0a');
  std::size_t at = 1;
  std::uint64_t length = 0;
  for (unsigned shift = 0; at < v2->body.size(); shift += 7) {
    const auto byte = static_cast<unsigned char>(v2->body[at++]);
    length |= static_cast<std::uint64_t>(byte & 0x7fU) << shift;
    if ((byte & 0x80U) == 0) break;
  }
  EXPECT_EQ(length, v2->body.size() - at);
  EXPECT_EQ(v2->body.substr(at), v1->body);
}

TEST_F(TempoApi, RefusesBadIdsAndSaysWhenATraceIsMissing) {
  const auto missing = collector_.http().Get("/tempo/api/traces/" + random_hex(32));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_NE(missing->body.find("trace not found"), std::string::npos);
  EXPECT_EQ(collector_.http().Get("/tempo/api/traces/not-hex")->status, 400);
  // Shorter ids are left-padded with zeros, as Tempo does: a 64-bit id is an id.
  EXPECT_EQ(collector_.http().Get("/tempo/api/v2/traces/" + random_hex(16))->status, 404);
}

TEST_F(TempoApi, SearchesByTagsDurationAndTime) {
  const json found = get("/tempo/api/search?tags=service.name%3Dcheckout&limit=5");
  ASSERT_EQ(found["traces"].size(), 1U) << found.dump();
  const json& trace = found["traces"][0];
  EXPECT_EQ(trace["traceID"], trace_);
  EXPECT_EQ(trace["rootServiceName"], "checkout");
  EXPECT_EQ(trace["rootTraceName"], "POST /cart");
  EXPECT_EQ(trace["startTimeUnixNano"], "1796670600000000000");
  EXPECT_EQ(trace["durationMs"], 250);
  EXPECT_TRUE(found["metrics"].contains("inspectedTraces"));

  const auto count = [&](const std::string& query) {
    return get("/tempo/api/search?" + query)["traces"].size();
  };
  // logfmt, quoted values, attributes of any span; all must hold.
  EXPECT_EQ(count("tags=name%3D%22GET%20%2Fstock%22%20service.name%3Dstock"), 1U);
  EXPECT_EQ(count("tags=http.response.status_code%3D503"), 1U);
  EXPECT_EQ(count("tags=http.response.status_code%3D200"), 0U);
  EXPECT_EQ(count("tags=service.name%3Dcheckout&minDuration=200ms"), 1U);
  EXPECT_EQ(count("tags=service.name%3Dcheckout&minDuration=300ms"), 0U);
  EXPECT_EQ(count("tags=service.name%3Dcheckout&maxDuration=100ms"), 0U);
  // start and end are Unix seconds.
  EXPECT_EQ(count("tags=service.name%3Dcheckout&start=1796670500&end=1796670700"), 1U);
  EXPECT_EQ(count("tags=service.name%3Dcheckout&start=1796670700&end=1796670800"), 0U);
  // The TraceQL Grafana's search builder writes, for what tracemesh can filter.
  EXPECT_EQ(count("q=%7B%7D"), 1U);
  EXPECT_EQ(
      count("q=%7Bresource.service.name%3D%22checkout%22%20%26%26%20traceDuration%3E100ms%7D"), 1U);
  EXPECT_EQ(count("q=%7B.service.name%3D%22stock%22%20%26%26%20name%3D%22GET%20%2Fstock%22%7D"),
            1U);
  EXPECT_EQ(count("q=%7Bspan.http.response.status_code%3D503%7D"), 1U);
  // What it cannot: a 400 that says what it reads.
  for (const char* refused : {"%7Bname%3D~%22GET.*%22%7D",                       // {name=~"GET.*"}
                              "%7Bstatus%3Derror%7D",                            // {status=error}
                              "%7Bname%3D%22a%22%20%7C%7C%20name%3D%22b%22%7D",  // ||
                              "%7B.http.method%3DGET%7D"}) {                     // an unquoted word
    const auto answer = collector_.http().Get(std::string("/tempo/api/search?q=") + refused);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->status, 400) << refused;
    EXPECT_NE(answer->body.find("TraceQL"), std::string::npos) << answer->body;
  }
  EXPECT_EQ(collector_.http().Get("/tempo/api/search?tags=novalue")->status, 400);
  EXPECT_EQ(collector_.http().Get("/tempo/api/search?minDuration=soon")->status, 400);
}

TEST_F(TempoApi, ListsTagNamesAndValues) {
  const json v1 = get("/tempo/api/search/tags");
  for (const char* name :
       {"service.name", "name", "http.response.status_code", "deployment.environment"}) {
    EXPECT_NE(std::find(v1["tagNames"].begin(), v1["tagNames"].end(), name), v1["tagNames"].end())
        << name << " in " << v1.dump();
  }
  const json v2 = get("/tempo/api/v2/search/tags");
  ASSERT_EQ(v2["scopes"].size(), 3U) << v2.dump();
  EXPECT_EQ(v2["scopes"][0]["name"], "resource");
  EXPECT_EQ(v2["scopes"][0]["tags"], json({"deployment.environment", "service.name"}));
  EXPECT_EQ(v2["scopes"][1]["name"], "span");
  EXPECT_EQ(v2["scopes"][1]["tags"],
            json({"cached", "http.response.status_code", "ratio", "tags"}));

  EXPECT_EQ(get("/tempo/api/search/tag/service.name/values")["tagValues"],
            json({"checkout", "stock"}));
  EXPECT_EQ(get("/tempo/api/search/tag/name/values")["tagValues"],
            json({"GET /stock", "POST /cart"}));
  EXPECT_EQ(get("/tempo/api/search/tag/http.response.status_code/values")["tagValues"],
            json({"503"}));
  EXPECT_EQ(get("/tempo/api/v2/search/tag/span.cached/values")["tagValues"],
            json::parse(R"([{"type":"bool","value":"false"}])"));
  EXPECT_EQ(
      get("/tempo/api/v2/search/tag/resource.service.name/values")["tagValues"],
      json::parse(R"([{"type":"string","value":"checkout"},{"type":"string","value":"stock"}])"));
}

TEST(TempoApiToken, RequiresTheQueryToken) {
  TemporaryDirectory directory;
  const auto token = directory.path() / "token";
  std::ofstream(token) << "reader\n";
  Collector collector(directory.path(), {"--query-token-file", token.string()});
  ASSERT_TRUE(collector.ready()) << collector.log();
  EXPECT_EQ(collector.http().Get("/tempo/api/echo")->status, 401);
  const auto allowed =
      collector.http().Get("/tempo/api/echo", {{"Authorization", "Bearer reader"}});
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 200);
}

}  // namespace
