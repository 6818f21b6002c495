// Server middleware for cpp-httplib (a real server on loopback) and Boost.Beast
// (real Beast messages), plus log correlation inside a server span.
#include <gtest/gtest.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "loopback_server.h"
#include "tracemesh/beast_middleware.h"
#include "tracemesh/httplib_middleware.h"
#include "tracemesh/spdlog.h"

namespace tracemesh {
namespace {

namespace http = boost::beast::http;
using testing::attribute;
using testing::LoopbackServer;
using testing::RecordingTracer;

constexpr char trace_id[] = "0af7651916cd43dd8448eb211c80319c";
constexpr char parent_id[] = "b7ad6b7169203331";

class TracedHttplibServer : public LoopbackServer {
 public:
  explicit TracedHttplibServer(const Tracer& tracer, HttplibOptions options = {}) {
    instrument(server, tracer, std::move(options));
    server.Get("/hello", [this](const httplib::Request&, httplib::Response& response) {
      handler_context = current_context().span_context();
      response.set_content("hi", "text/plain");
    });
    server.Get("/boom", [](const httplib::Request&, httplib::Response&) {
      throw std::runtime_error("handler failed");
    });
    start();
  }
  SpanContext handler_context;
};

struct InboundRow {
  const char* name;
  httplib::Headers headers;
  bool continues;  // the server span joins trace_id
  std::string propagation_format;
  std::string propagation_error;  // "" when none is recorded
};

TEST(HttplibMiddleware, ContinuesEachSupportedFormatAndRestartsOnMalformedInput) {
  const std::string legacy_uuid = "0af76519-16cd-43dd-8448-eb211c80319c";
  const std::vector<InboundRow> rows = {
      {"W3C traceparent",
       {{"traceparent", std::string("00-") + trace_id + "-" + parent_id + "-01"}},
       true,
       "tracecontext",
       ""},
      {"B3 single", {{"b3", std::string(trace_id) + "-" + parent_id + "-1"}}, true, "b3", ""},
      {"B3 multi",
       {{"X-B3-TraceId", trace_id}, {"X-B3-SpanId", parent_id}, {"X-B3-Sampled", "1"}},
       true,
       "b3",
       ""},  // the b3 propagator reads both B3 encodings
      {"legacy X-Trace-ID (a UUID)", {{"X-Trace-ID", legacy_uuid}}, true, "xtraceid", ""},
      {"malformed traceparent",
       {{"traceparent", "00-xyz-b7ad6b7169203331-01"}},
       false,
       "none",
       "bad_length"},
      {"zero trace id",
       {{"traceparent", "00-00000000000000000000000000000000-b7ad6b7169203331-01"}},
       false,
       "none",
       "zero_trace_id"},
      {"no headers", {}, false, "none", ""},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    RecordingTracer recording("server", "tracecontext,baggage,b3,b3multi,xtraceid");
    TracedHttplibServer server(recording.tracer);
    httplib::Client client("127.0.0.1", server.port());
    const auto response = client.Get("/hello", row.headers);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200);
    server.stop();
    const auto spans = recording.exporter->spans();
    ASSERT_EQ(spans.size(), 1U);
    const SpanData& span = spans[0];
    EXPECT_EQ(span.kind, SpanKind::server);
    EXPECT_EQ(span.context.trace_id.to_hex() == trace_id, row.continues);
    EXPECT_EQ(span.parent_span_id.is_valid(),
              row.continues && row.propagation_format != "xtraceid");
    EXPECT_EQ(attribute<std::string>(span, "tracemesh.propagation.format"), row.propagation_format);
    EXPECT_EQ(attribute<std::string>(span, "tracemesh.propagation.error"), row.propagation_error);
    EXPECT_EQ(server.handler_context.trace_id, span.context.trace_id);  // current in the handler
    EXPECT_EQ(server.handler_context.span_id, span.context.span_id);
    const std::string echoed = response->get_header_value("X-Trace-ID");
    EXPECT_EQ(echoed,
              row.propagation_format == "xtraceid" ? legacy_uuid : span.context.trace_id.to_hex());
  }
}

TEST(HttplibMiddleware, RecordsSemanticConventionAttributes) {
  RecordingTracer recording("server");
  TracedHttplibServer server(recording.tracer);
  httplib::Client client("127.0.0.1", server.port());
  ASSERT_TRUE(client.Get("/hello?x=1", {{"User-Agent", "probe/1"}}));
  ASSERT_TRUE(client.Get("/nowhere"));
  ASSERT_TRUE(client.Get("/boom"));
  server.stop();
  // Each request ends its span on its own server thread after answering: find them by path.
  const auto all = recording.exporter->spans();
  ASSERT_EQ(all.size(), 3U);
  const auto by_path = [&](const std::string& path) {
    for (const auto& span : all) {
      if (attribute<std::string>(span, "url.path") == path) return span;
    }
    ADD_FAILURE() << "no span for " << path;
    return all[0];
  };
  const auto spans = std::vector{by_path("/hello"), by_path("/nowhere"), by_path("/boom")};
  EXPECT_EQ(spans[0].name, "GET /hello");
  EXPECT_EQ(attribute<std::string>(spans[0], "http.request.method"), "GET");
  EXPECT_EQ(attribute<std::string>(spans[0], "url.path"), "/hello");
  EXPECT_EQ(attribute<std::string>(spans[0], "url.query"), "x=1");
  EXPECT_EQ(attribute<std::string>(spans[0], "server.address"), "127.0.0.1");
  EXPECT_EQ(attribute<std::int64_t>(spans[0], "server.port"), server.port());
  EXPECT_EQ(attribute<std::string>(spans[0], "client.address"), "127.0.0.1");
  EXPECT_EQ(attribute<std::string>(spans[0], "user_agent.original"), "probe/1");
  EXPECT_EQ(attribute<std::int64_t>(spans[0], "http.response.status_code"), 200);
  EXPECT_EQ(spans[0].status.code, StatusCode::unset);
  EXPECT_EQ(attribute<std::int64_t>(spans[1], "http.response.status_code"), 404);
  EXPECT_EQ(spans[1].status.code, StatusCode::unset);  // a 4xx is the client's error
  EXPECT_EQ(attribute<std::int64_t>(spans[2], "http.response.status_code"), 500);
  EXPECT_EQ(attribute<std::string>(spans[2], "error.type"), "500");
  EXPECT_EQ(spans[2].status.code, StatusCode::error);
}

TEST(HttplibMiddleware, EchoHeaderNameIsConfigurable) {
  RecordingTracer recording("server");
  HttplibOptions options;
  options.trace_id_header = "X-Request-Trace";
  TracedHttplibServer server(recording.tracer, options);
  httplib::Client client("127.0.0.1", server.port());
  const auto response = client.Get("/hello");
  ASSERT_TRUE(response);
  EXPECT_FALSE(response->has_header("X-Trace-ID"));
  EXPECT_EQ(response->get_header_value("X-Request-Trace").size(), 32U);
}

TEST(LogCorrelation, ALogLineInsideAServerSpanCarriesItsIds) {
  RecordingTracer recording("server");
  std::ostringstream pattern_output;
  std::ostringstream json_output;
  auto pattern_sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(pattern_output);
  pattern_sink->set_formatter(make_pattern_formatter("[%Q %q] %v"));
  auto json_sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(json_output);
  json_sink->set_formatter(std::make_unique<JsonLinesFormatter>("server"));
  spdlog::logger logger("test", {pattern_sink, json_sink});

  HttplibOptions options;
  TracedHttplibServer server(recording.tracer, options);
  server.server.Get("/log", [&logger](const httplib::Request&, httplib::Response& response) {
    logger.info("handling \"quoted\" request");
    response.status = 204;
  });
  httplib::Client client("127.0.0.1", server.port());
  ASSERT_TRUE(client.Get("/log"));
  server.stop();
  logger.info("outside");
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  const std::string ids =
      spans[0].context.trace_id.to_hex() + " " + spans[0].context.span_id.to_hex();
  EXPECT_EQ(pattern_output.str(), "[" + ids + "] handling \"quoted\" request\n[ ] outside\n");
  std::istringstream lines(json_output.str());
  std::string first;
  std::string second;
  std::getline(lines, first);
  std::getline(lines, second);
  const auto inside = nlohmann::json::parse(first);
  EXPECT_EQ(inside["trace_id"], spans[0].context.trace_id.to_hex());
  EXPECT_EQ(inside["span_id"], spans[0].context.span_id.to_hex());
  EXPECT_EQ(inside["service"], "server");
  EXPECT_EQ(inside["level"], "info");
  EXPECT_EQ(inside["message"], "handling \"quoted\" request");
  EXPECT_EQ(inside["time"].get<std::string>().size(),
            std::string("2026-11-22T10:00:00.123456Z").size());
  EXPECT_EQ(nlohmann::json::parse(second)["trace_id"], "");
}

http::request<http::string_body> beast_request(const std::string& target) {
  http::request<http::string_body> request(http::verb::get, target, 11);
  request.set(http::field::host, "auth.local:8081");
  return request;
}

http::response<http::string_body> ok_response(const http::request<http::string_body>& request) {
  http::response<http::string_body> response(http::status::ok, request.version());
  response.body() = current_context().span_context().trace_id.to_hex();
  return response;
}

TEST(BeastMiddleware, ContinuesTheInboundTraceAndEchoesIt) {
  RecordingTracer recording("auth");
  auto request = beast_request("/check?token=1");
  request.set("traceparent", std::string("00-") + trace_id + "-" + parent_id + "-01");
  const auto response =
      handle_traced(recording.tracer, request, ok_response, {}, {"127.0.0.1", 5555});
  EXPECT_EQ(response.body(), trace_id);  // the span was current in the handler
  EXPECT_EQ(std::string(response["X-Trace-ID"]), trace_id);
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].name, "GET /check");
  EXPECT_EQ(spans[0].parent_span_id.to_hex(), parent_id);
  EXPECT_EQ(attribute<std::string>(spans[0], "server.address"), "auth.local");
  EXPECT_EQ(attribute<std::int64_t>(spans[0], "server.port"), 8081);
  EXPECT_EQ(attribute<std::string>(spans[0], "url.query"), "token=1");
  EXPECT_EQ(attribute<std::int64_t>(spans[0], "network.peer.port"), 5555);
  EXPECT_EQ(attribute<std::int64_t>(spans[0], "http.response.status_code"), 200);
}

TEST(BeastMiddleware, MalformedContextStartsANewTraceAndExceptionsAre500) {
  RecordingTracer recording("auth");
  auto request = beast_request("/check");
  request.set("traceparent", "garbage");
  const auto response = handle_traced(recording.tracer, request, ok_response);
  EXPECT_EQ(response.body().size(), 32U);
  EXPECT_NE(response.body(), trace_id);
  EXPECT_THROW(handle_traced(recording.tracer, request,
                             [](const auto&) -> http::response<http::string_body> {
                               throw std::runtime_error("down");
                             }),
               std::runtime_error);
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_FALSE(spans[0].parent_span_id.is_valid());
  EXPECT_EQ(attribute<std::string>(spans[0], "tracemesh.propagation.error"), "bad_length");
  EXPECT_EQ(attribute<std::int64_t>(spans[1], "http.response.status_code"), 500);
  EXPECT_EQ(spans[1].status.code, StatusCode::error);
  EXPECT_FALSE(current_context().span_context().is_valid());  // nothing leaked into this thread
}

}  // namespace
}  // namespace tracemesh
