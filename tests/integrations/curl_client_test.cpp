// The traced HTTP client against real loopback servers.
#include "tracemesh/curl_client.h"

#include <gtest/gtest.h>

#include <sys/socket.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "loopback_server.h"
#include "tracemesh/root_span.h"

namespace tracemesh {
namespace {

using testing::attribute;
using testing::LoopbackServer;
using testing::RecordingTracer;

// Inbound headers as one hop of a request saw them.
struct Seen {
  std::string path;
  std::string method;
  std::string traceparent;
  std::string tracestate;
};

class RecordingServer : public LoopbackServer {
 public:
  RecordingServer() {
    server.set_pre_routing_handler([this](const httplib::Request& request, httplib::Response&) {
      std::lock_guard lock(mutex_);
      seen_.push_back({request.path, request.method, request.get_header_value("traceparent"),
                       request.get_header_value("tracestate")});
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.Get("/ok", [](const httplib::Request&, httplib::Response& response) {
      response.set_content("fine", "text/plain");
    });
    server.Get("/missing",
               [](const httplib::Request&, httplib::Response& response) { response.status = 404; });
    server.Post("/302", [this](const httplib::Request&, httplib::Response& response) {
      response.set_redirect(url("/307"), 302);
    });
    server.Get("/302", [this](const httplib::Request&, httplib::Response& response) {
      response.set_redirect(url("/307"), 302);
    });
    server.Get("/307", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("/ok", 307);  // relative: resolved against the hop's URL
    });
    server.Get("/loop", [](const httplib::Request&, httplib::Response& response) {
      response.set_redirect("/loop", 302);
    });
    start();
  }
  std::vector<Seen> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

std::string trace_id_of(const std::string& traceparent) {
  return traceparent.size() == 55 ? traceparent.substr(3, 32) : std::string();
}
std::string parent_id_of(const std::string& traceparent) {
  return traceparent.size() == 55 ? traceparent.substr(36, 16) : std::string();
}

TEST(HttpClient, OneReusedClientSendsEachRequestsOwnCurrentTrace) {
  RecordingServer server;
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer);  // built before any request context exists
  std::vector<std::string> parents;
  for (int request = 0; request < 2; ++request) {
    Span handler = recording.tracer.start_span("handle request", {.kind = SpanKind::server});
    Scope scope = activate(handler);
    ASSERT_TRUE(client.get(server.url("/ok")));
    parents.push_back(handler.context().trace_id.to_hex());
  }
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_EQ(trace_id_of(seen[0].traceparent), parents[0]);
  EXPECT_EQ(trace_id_of(seen[1].traceparent), parents[1]);
  EXPECT_NE(parents[0], parents[1]);
}

TEST(HttpClient, RecordsAClientSpanWhoseIdIsTheSentParent) {
  RecordingServer server;
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer);
  const auto response = client.get(server.url("/ok"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "fine");
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  const SpanData& span = spans[0];
  EXPECT_EQ(span.kind, SpanKind::client);
  EXPECT_EQ(span.name, "GET");
  EXPECT_FALSE(span.parent_span_id.is_valid());  // no current context: a new trace
  EXPECT_EQ(attribute<std::string>(span, "http.request.method"), "GET");
  EXPECT_EQ(attribute<std::string>(span, "url.full"), server.url("/ok"));
  EXPECT_EQ(attribute<std::string>(span, "server.address"), "127.0.0.1");
  EXPECT_EQ(attribute<std::int64_t>(span, "server.port"), server.port());
  EXPECT_EQ(attribute<std::int64_t>(span, "http.response.status_code"), 200);
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 1U);
  EXPECT_EQ(trace_id_of(seen[0].traceparent), span.context.trace_id.to_hex());
  EXPECT_EQ(parent_id_of(seen[0].traceparent), span.context.span_id.to_hex());
}

// The span says where in the caller's code the request was sent; a wrapper
// can pass its own caller's location through.
TEST(HttpClient, RecordsTheCallersCodeLocation) {
  RecordingServer server;
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer);
  const int post_line = __LINE__ + 1;
  ASSERT_TRUE(client.post(server.url("/ok"), "x", "text/plain"));
  const auto send_for = [&client, &server](CodeLocation where) {
    return client.send(HttpRequest{"GET", server.url("/ok"), {}, {}}, where);
  };
  const CodeLocation wrapped = CodeLocation::current();
  ASSERT_TRUE(send_for(wrapped));
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(attribute<std::string>(spans[0], "code.file.path"), __FILE__);
  EXPECT_EQ(attribute<std::int64_t>(spans[0], "code.line.number"), post_line);
  EXPECT_NE(attribute<std::string>(spans[0], "code.function.name").find("TestBody"),
            std::string::npos);
  EXPECT_EQ(attribute<std::int64_t>(spans[1], "code.line.number"),
            static_cast<std::int64_t>(wrapped.line));
}

TEST(HttpClient, EveryRedirectHopCarriesTheTrace) {
  RecordingServer server;
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer);
  Span parent = recording.tracer.start_span("parent");
  Scope scope = activate(parent);
  const auto response = client.post(server.url("/302"), "{}", "application/json");
  ASSERT_TRUE(response) << response.error().text();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->redirects, 2);
  EXPECT_EQ(response->url, server.url("/ok"));

  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0].path, "/302");
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[1].path, "/307");
  EXPECT_EQ(seen[1].method, "GET");  // 302 after POST continues as GET
  EXPECT_EQ(seen[2].path, "/ok");
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 3U);
  for (std::size_t hop = 0; hop < 3; ++hop) {
    SCOPED_TRACE(hop);
    EXPECT_EQ(trace_id_of(seen[hop].traceparent), parent.context().trace_id.to_hex());
    EXPECT_EQ(parent_id_of(seen[hop].traceparent), spans[hop].context.span_id.to_hex());
    EXPECT_EQ(spans[hop].parent_span_id, parent.context().span_id);
    EXPECT_EQ(attribute<std::int64_t>(spans[hop], "http.request.resend_count"),
              static_cast<std::int64_t>(hop));
  }
  EXPECT_EQ(attribute<std::int64_t>(spans[0], "http.response.status_code"), 302);
  EXPECT_EQ(attribute<std::int64_t>(spans[1], "http.response.status_code"), 307);
}

TEST(HttpClient, TooManyRedirectsIsAnError) {
  RecordingServer server;
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer, {.max_redirects = 3});
  const auto response = client.get(server.url("/loop"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::transport_error);
  EXPECT_NE(response.error().message.find("more than 3 redirects"), std::string::npos);
  EXPECT_EQ(server.seen().size(), 4U);
}

TEST(HttpClient, ErrorStatusMarksTheSpan) {
  RecordingServer server;
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer);
  const auto response = client.get(server.url("/missing"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(spans[0].status.code, StatusCode::error);
  EXPECT_EQ(attribute<std::string>(spans[0], "error.type"), "404");
}

TEST(HttpClient, ConnectionFailureIsAnErrorValueAndAnErrorSpan) {
  RecordingTracer recording("caller");
  int dead_port = 0;
  {
    RecordingServer server;  // bind a port, then free it
    dead_port = server.port();
  }
  const HttpClient client(recording.tracer);
  const auto response = client.get("http://127.0.0.1:" + std::to_string(dead_port) + "/ok");
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::transport_error);
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 1U);
  EXPECT_EQ(attribute<std::string>(spans[0], "error.type"), "connection_refused");
  EXPECT_EQ(spans[0].status.code, StatusCode::error);
}

TEST(HttpClient, OversizedResponseIsRefused) {
  RecordingServer server;
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer, {.max_response_bytes = 3});
  const auto response = client.get(server.url("/ok"));  // "fine" is 4 bytes
  ASSERT_FALSE(response);
  EXPECT_NE(response.error().message.find("exceeds 3 bytes"), std::string::npos);
}

// One pooled handle serves requests of every method in turn: none may keep
// an earlier request's method or body.
TEST(HttpClient, ReusedHandleSendsEachRequestsOwnMethodAndBody) {
  LoopbackServer server;
  std::mutex mutex;
  std::vector<std::string> seen;
  const auto record = [&](const httplib::Request& request, httplib::Response& response) {
    std::lock_guard lock(mutex);
    seen.push_back(request.method + " " + request.body);
    response.set_content("body", "text/plain");
  };
  server.server.Get("/echo", record);
  server.server.Post("/echo", record);
  server.server.Put("/echo", record);
  server.server.Delete("/echo", record);
  server.start();
  RecordingTracer recording("caller");
  const HttpClient client(recording.tracer);
  const auto send = [&](const std::string& method, const std::string& body) {
    HttpRequest request;
    request.method = method;
    request.url = server.url("/echo");
    request.body = body;
    return client.send(request);
  };
  ASSERT_TRUE(send("POST", "first"));
  ASSERT_TRUE(send("GET", ""));
  const auto head = send("HEAD", "");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->body, "");
  ASSERT_TRUE(send("PUT", "second"));
  ASSERT_TRUE(send("DELETE", ""));
  const auto get = send("GET", "");
  ASSERT_TRUE(get);
  EXPECT_EQ(get->body, "body");
  std::lock_guard lock(mutex);
  EXPECT_EQ(seen, (std::vector<std::string>{"POST first", "GET ", "HEAD ", "PUT second", "DELETE ",
                                            "GET "}));
}

// Counts the sockets it opens; refuses every one once `refuse` is set.
struct SocketGate {
  std::atomic<int> opened{0};
  std::atomic<bool> refuse{false};
  static curl_socket_t open(void* self, curlsocktype, curl_sockaddr* address) {
    auto* gate = static_cast<SocketGate*>(self);
    if (gate->refuse) return CURL_SOCKET_BAD;
    ++gate->opened;
    return socket(address->family, address->socktype, address->protocol);
  }
};

TEST(HttpClient, ConfigureHandleAppliesToEveryHop) {
  RecordingServer server;
  RecordingTracer recording("caller");
  SocketGate gate;
  int configured = 0;
  HttpClientOptions options;
  options.configure_handle = [&](CURL* curl) {
    ++configured;
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, &SocketGate::open);
    curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &gate);
    curl_easy_setopt(curl, CURLOPT_FORBID_REUSE, 1L);  // a new socket per hop
  };
  const HttpClient client(recording.tracer, options);
  auto response = client.get(server.url("/302"));
  ASSERT_TRUE(response) << response.error().text();
  EXPECT_EQ(response->redirects, 2);
  EXPECT_EQ(configured, 3);
  EXPECT_EQ(gate.opened, 3);

  gate.refuse = true;
  response = client.get(server.url("/ok"));
  ASSERT_FALSE(response);
  EXPECT_EQ(response.error().code, ErrorCode::transport_error);
  EXPECT_EQ(server.seen().size(), 3U) << "a refused socket must not reach the server";
}

TEST(HttpClient, AWorkerLoopGetsAFreshTracePerIteration) {
  RecordingServer server;
  RecordingTracer recording("worker");
  const HttpClient client(recording.tracer);
  for (int tick = 0; tick < 2; ++tick) {
    run_in_new_trace(recording.tracer, "tick", [&] { ASSERT_TRUE(client.get(server.url("/ok"))); });
  }
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2U);
  EXPECT_NE(trace_id_of(seen[0].traceparent), trace_id_of(seen[1].traceparent));
  const auto spans = recording.exporter->spans();
  ASSERT_EQ(spans.size(), 4U);  // client, tick, client, tick
  EXPECT_EQ(spans[1].name, "tick");
  EXPECT_FALSE(spans[1].parent_span_id.is_valid());
  EXPECT_EQ(spans[0].parent_span_id, spans[1].context.span_id);
}

TEST(InjectHeaders, AddsPropagationHeadersToAnExistingCurlList) {
  RecordingServer server;
  RecordingTracer recording("caller", "tracecontext,xtraceid");
  Span span = recording.tracer.start_span("own curl code");
  Scope scope = activate(span);

  curl_slist* headers = curl_slist_append(nullptr, "Accept: text/plain");
  headers = curl_slist_append(headers, "traceparent: stale-value");
  headers = inject_headers(headers, recording.tracer.propagator());
  std::vector<std::string> lines;
  for (const curl_slist* line = headers; line != nullptr; line = line->next)
    lines.emplace_back(line->data);
  EXPECT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0], "Accept: text/plain");

  CURL* curl = curl_easy_init();
  const std::string url = server.url("/302");  // libcurl follows the redirects itself
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char*, std::size_t size, std::size_t count, void*) { return size * count; });
  ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);

  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 3U);
  for (const auto& hop : seen) {
    EXPECT_EQ(trace_id_of(hop.traceparent), span.context().trace_id.to_hex()) << hop.path;
    EXPECT_EQ(parent_id_of(hop.traceparent), span.context().span_id.to_hex()) << hop.path;
  }
}

}  // namespace
}  // namespace tracemesh
