// End-to-end checks of tracemesh-w3c-harness: the real binary on loopback,
// called the way the W3C Trace Context test suite calls it, with a recording
// server as the next hop.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "child_process.h"

namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using tracemesh::testing::ChildProcess;

constexpr char harness_path[] = TRACEMESH_W3C_HARNESS;
constexpr auto startup_timeout = 10s;

constexpr char inbound_trace_id[] = "0af7651916cd43dd8448eb211c80319c";
constexpr char inbound_parent_id[] = "b7ad6b7169203331";
constexpr char inbound_traceparent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr char inbound_tracestate[] = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";

// A traceparent split into its fields; nullopt when the value is not valid version 00.
struct Traceparent {
  std::string trace_id;
  std::string parent_id;
  std::string flags;
};

std::optional<Traceparent> parse_traceparent(const std::string& value) {
  static const std::regex format("^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$");
  std::smatch match;
  if (!std::regex_match(value, match, format)) return std::nullopt;
  if (match[1] == std::string(32, '0') || match[2] == std::string(16, '0')) return std::nullopt;
  return Traceparent{match[1], match[2], match[3]};
}

std::string read_file(const std::string& path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

// Return the last line of `text` that starts with `prefix`, or "".
std::string last_line_starting_with(const std::string& text, const std::string& prefix) {
  std::istringstream lines(text);
  std::string line;
  std::string found;
  while (std::getline(lines, line)) {
    if (line.starts_with(prefix)) found = line;
  }
  return found;
}

// A fresh directory for one test's log files, removed afterwards unless the
// test failed (the harness logs are what explains a failure).
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern = ::testing::TempDir() + "w3c_harness_test.XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty() && !::testing::Test::HasFailure())
      std::filesystem::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Return a loopback port that was free a moment ago (bind port 0, read it back).
int free_loopback_port() {
  int socket_fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  int port = 0;
  if (bind(socket_fd, reinterpret_cast<sockaddr*>(&address), size) == 0 &&
      getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  close(socket_fd);
  return port;
}

// The harness binary, started on loopback; killed when the object goes.
class Harness {
 public:
  explicit Harness(const std::string& directory, const std::string& name,
                   const std::string& listen = "127.0.0.1:0")
      : log_path_(directory + "/" + name + ".log"),
        process_({harness_path, "--listen", listen}, log_path_) {}

  // Wait until the harness prints its listening line; return false on timeout or exit.
  bool wait_until_listening() {
    static const std::regex listening("listening on http://127\\.0\\.0\\.1:([0-9]+)");
    const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
    while (process_.running() && std::chrono::steady_clock::now() < deadline) {
      std::smatch match;
      std::string log = read_file(log_path_);
      if (std::regex_search(log, match, listening)) {
        port_ = std::stoi(match[1]);
        return true;
      }
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }

  // Wait until the log holds `text` (lines cpp-httplib's logger writes come
  // after the response); return whether it does.
  bool wait_for_log(const std::string& text) const {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (log().find(text) == std::string::npos) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  int port() const { return port_; }
  std::string test_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/test"; }
  std::string log() const { return read_file(log_path_); }
  // Return the log line of the latest POST /test (written before its response).
  std::string last_request_line() const { return last_line_starting_with(log(), "POST /test"); }
  ChildProcess& process() { return process_; }

  // POST `body` to /test with `headers`; return the response (null on transport failure).
  httplib::Result post(const std::string& body, const httplib::Headers& headers = {}) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_connection_timeout(5s);
    client.set_read_timeout(20s);
    return client.Post("/test", headers, body, "application/json");
  }

 private:
  std::string log_path_;
  ChildProcess process_;
  int port_ = 0;
};

struct RecordedRequest {
  std::string path;
  httplib::Headers headers;
  std::string body;

  std::string header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
  }
  bool has_header(const std::string& name) const { return headers.count(name) > 0; }
};

// The next hop: an HTTP server on loopback that records every POST it receives.
class Recorder {
 public:
  Recorder() {
    server_.Post(".*", [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        requests_.push_back({request.path, request.headers, request.body});
      }
      changed_.notify_all();
      response.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    const auto deadline = std::chrono::steady_clock::now() + startup_timeout;
    while (!server_.is_running() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
  }
  ~Recorder() {
    server_.stop();
    thread_.join();
  }
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  bool listening() const { return port_ > 0 && server_.is_running(); }
  std::string url(const std::string& path = "/record") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  int port() const { return port_; }

  // Wait until `count` requests arrived (bounded), then return all received.
  std::vector<RecordedRequest> wait_for(std::size_t count, std::chrono::milliseconds timeout = 5s) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, timeout, [&] { return requests_.size() >= count; });
    return requests_;
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<RecordedRequest> requests_;
};

json calls_to(const std::string& url, const json& arguments = json::array()) {
  return json::array({{{"url", url}, {"arguments", arguments}}});
}

class W3cHarnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(recorder_.listening()) << "the recording server did not start";
    ASSERT_TRUE(harness_.process().started()) << "cannot start " << harness_path;
    ASSERT_TRUE(harness_.wait_until_listening()) << harness_.log();
  }

  TemporaryDirectory directory_;
  Recorder recorder_;
  Harness harness_{directory_.path(), "harness"};
};

// The current W3C suite's tracestate cases: a duplicated key, a vendor key
// with an empty system and a multi-tenant key with a 242-character tenant beside another
// member are all inherited (the first of the duplicates kept).
TEST_F(W3cHarnessTest, InheritsTracestatesTheCurrentSuiteExpects) {
  struct Row {
    std::string sent;
    std::string forwarded;
  };
  const std::string long_key = std::string(242, 't') + "@v";
  const Row rows[] = {
      {"foo=1,foo=2", "foo=1"},
      {"foo@=1,bar=2", "foo@=1,bar=2"},
      {"foo@@bar=1,bar=2", "foo@@bar=1,bar=2"},
      {"foo=1," + long_key + "=1", "foo=1," + long_key + "=1"},
  };
  std::size_t sent = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.sent);
    auto response = harness_.post(calls_to(recorder_.url()).dump(),
                                  {{"traceparent", inbound_traceparent}, {"tracestate", row.sent}});
    ASSERT_TRUE(response) << httplib::to_string(response.error());
    auto received = recorder_.wait_for(++sent);
    ASSERT_EQ(received.size(), sent);
    EXPECT_EQ(received.back().header("tracestate"), row.forwarded);
  }
}

TEST_F(W3cHarnessTest, ContinuesAValidTraceWithANewParentAndTheSameTracestate) {
  auto response =
      harness_.post(calls_to(recorder_.url()).dump(),
                    {{"traceparent", inbound_traceparent}, {"tracestate", inbound_tracestate}});
  ASSERT_TRUE(response) << httplib::to_string(response.error());
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(response->get_header_value("X-Trace-ID"), inbound_trace_id);

  auto received = recorder_.wait_for(1);
  ASSERT_EQ(received.size(), 1u);
  auto traceparent = parse_traceparent(received[0].header("traceparent"));
  ASSERT_TRUE(traceparent) << "next hop got traceparent '" << received[0].header("traceparent")
                           << "'";
  EXPECT_EQ(traceparent->trace_id, inbound_trace_id);
  EXPECT_NE(traceparent->parent_id, inbound_parent_id);
  EXPECT_EQ(traceparent->flags, "01");
  EXPECT_EQ(received[0].header("tracestate"), inbound_tracestate);
  EXPECT_EQ(received[0].header("Content-Type"), "application/json");
  EXPECT_EQ(received[0].body, "[]");

  std::string line = harness_.last_request_line();
  EXPECT_NE(line.find(std::string("extracted=") + inbound_trace_id), std::string::npos) << line;
  EXPECT_NE(line.find(std::string("trace_id=") + inbound_trace_id), std::string::npos) << line;
  EXPECT_NE(line.find("outbound=200"), std::string::npos) << line;
}

TEST_F(W3cHarnessTest, GivesEachOutboundCallItsOwnClientSpan) {
  json body = {{{"url", recorder_.url("/first")}, {"arguments", json::array({1, "two"})}},
               {{"url", recorder_.url("/second")}}};
  auto response = harness_.post(body.dump(), {{"traceparent", inbound_traceparent}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;

  auto received = recorder_.wait_for(2);
  ASSERT_EQ(received.size(), 2u);
  EXPECT_EQ(received[0].path, "/first");
  EXPECT_EQ(received[0].body, R"([1,"two"])");
  EXPECT_EQ(received[1].path, "/second");
  EXPECT_EQ(received[1].body, "[]");
  auto first = parse_traceparent(received[0].header("traceparent"));
  auto second = parse_traceparent(received[1].header("traceparent"));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->trace_id, inbound_trace_id);
  EXPECT_EQ(second->trace_id, inbound_trace_id);
  EXPECT_NE(first->parent_id, second->parent_id);
}

TEST_F(W3cHarnessTest, StartsANewTraceWhenTheTraceparentIsMalformedOrMissing) {
  struct Row {
    const char* name;
    std::optional<std::string> traceparent;
  };
  const Row rows[] = {
      {"uppercase_hex", "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01"},
      {"version_ff", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
      {"zero_trace_id", "00-00000000000000000000000000000000-b7ad6b7169203331-01"},
      {"zero_parent_id", "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01"},
      {"short_trace_id", "00-0af7651916cd43dd8448eb211c8031-b7ad6b7169203331-01"},
      {"bad_delimiter", "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01"},
      {"version_00_with_extra_field", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x"},
      {"not_a_traceparent", "hello"},
      {"missing", std::nullopt},
  };
  std::set<std::string> new_trace_ids;
  std::size_t expected_requests = 0;
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    httplib::Headers headers = {{"tracestate", inbound_tracestate}};
    if (row.traceparent) headers.emplace("traceparent", *row.traceparent);
    auto response = harness_.post(calls_to(recorder_.url()).dump(), headers);
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 200) << response->body;

    auto received = recorder_.wait_for(++expected_requests);
    ASSERT_EQ(received.size(), expected_requests);
    const RecordedRequest& request = received.back();
    auto traceparent = parse_traceparent(request.header("traceparent"));
    ASSERT_TRUE(traceparent) << "next hop got '" << request.header("traceparent") << "'";
    EXPECT_NE(traceparent->trace_id, inbound_trace_id);
    EXPECT_EQ(request.header("tracestate"), "") << "tracestate must be dropped with a bad parent";
    new_trace_ids.insert(traceparent->trace_id);
    EXPECT_NE(harness_.last_request_line().find("extract_error="), std::string::npos)
        << harness_.last_request_line();
  }
  EXPECT_EQ(new_trace_ids.size(), std::size(rows)) << "every request must start its own trace";
}

TEST_F(W3cHarnessTest, KeepsOneTraceAcrossAChainOfHarnesses) {
  Harness second(directory_.path(), "second");
  ASSERT_TRUE(second.wait_until_listening()) << second.log();

  json body = calls_to(second.test_url(), calls_to(recorder_.url()));
  auto response = harness_.post(
      body.dump(), {{"traceparent", inbound_traceparent}, {"tracestate", inbound_tracestate}});
  ASSERT_TRUE(response);
  ASSERT_EQ(response->status, 200) << response->body;
  json answer = json::parse(response->body, nullptr, false);
  ASSERT_TRUE(answer.contains("calls")) << response->body;
  EXPECT_EQ(answer["calls"][0]["status"], 200) << response->body;
  // What the first harness sent is what the second one logged as received.
  static const std::regex received_field(" traceparent=(\\S+) ");
  std::smatch received_match;
  const std::string second_line = second.last_request_line();
  ASSERT_TRUE(std::regex_search(second_line, received_match, received_field)) << second_line;
  auto first_hop = parse_traceparent(received_match[1]);

  auto received = recorder_.wait_for(1);
  ASSERT_EQ(received.size(), 1u);
  auto last_hop = parse_traceparent(received[0].header("traceparent"));
  ASSERT_TRUE(first_hop && last_hop);
  EXPECT_EQ(first_hop->trace_id, inbound_trace_id);
  EXPECT_EQ(last_hop->trace_id, inbound_trace_id);
  EXPECT_NE(first_hop->parent_id, inbound_parent_id);
  EXPECT_NE(last_hop->parent_id, first_hop->parent_id);
  EXPECT_EQ(received[0].header("tracestate"), inbound_tracestate);
  EXPECT_NE(second.last_request_line().find(std::string("extracted=") + inbound_trace_id),
            std::string::npos)
      << second.log();
}

TEST_F(W3cHarnessTest, AnswersMalformedBodiesWith400AndStaysUp) {
  const std::string deep_arguments = R"([{"url": ")" + recorder_.url() + R"(", "arguments": )" +
                                     std::string(10000, '[') + std::string(10000, ']') + "}]";
  json too_many_calls = json::array();
  for (int i = 0; i < 65; ++i) too_many_calls.push_back({{"url", recorder_.url()}});
  struct Row {
    const char* name;
    std::string body;
  };
  const Row rows[] = {
      {"empty", ""},
      {"not_json", "this is not json"},
      {"truncated", R"([{"url": )"},
      {"invalid_utf8", "[\"\xff\"]"},
      {"object_not_array", R"({"url": "http://127.0.0.1:1/"})"},
      {"number", "42"},
      {"entry_not_object", "[1]"},
      {"entry_without_url", "[{}]"},
      {"url_not_string", R"([{"url": 7}])"},
      {"arguments_not_array", R"([{"url": ")" + recorder_.url() + R"(", "arguments": {}}])"},
      {"nested_too_deep", deep_arguments},
      {"too_many_calls", too_many_calls.dump()},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    auto response = harness_.post(row.body, {{"traceparent", inbound_traceparent}});
    ASSERT_TRUE(response) << "the harness dropped the connection";
    EXPECT_EQ(response->status, 400) << response->body;
    json answer = json::parse(response->body, nullptr, false);
    EXPECT_TRUE(answer.is_object() && answer.contains("error")) << response->body;
    ASSERT_TRUE(harness_.process().running()) << harness_.log();
  }
  EXPECT_EQ(recorder_.count(), 0u) << "no call may be made for a rejected body";

  auto response = harness_.post("[]");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(W3cHarnessTest, AnswersOversizedBodiesWith413AndLogsThem) {
  auto response = harness_.post(std::string((1 << 20) + 1, ' '));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_TRUE(harness_.process().running());
  EXPECT_TRUE(harness_.wait_for_log("POST /test status=413")) << harness_.log();
}

TEST_F(W3cHarnessTest, KeepsEveryRequestOnOneLogLine) {
  httplib::Client client("127.0.0.1", harness_.port());
  auto response = client.Get("/%0aPOST%20/test%20status=200");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_TRUE(harness_.wait_for_log("GET /\\x0aPOST\\x20/test\\x20status=200 status=404"))
      << harness_.log();
  EXPECT_EQ(harness_.last_request_line(), "") << "a path forged a request line";
}

TEST_F(W3cHarnessTest, RefusesUrlsOutsideLoopbackWith400) {
  const std::string port = std::to_string(recorder_.port());
  const std::string rows[] = {
      "https://127.0.0.1:" + port + "/record",
      "ftp://127.0.0.1:" + port + "/record",
      "file:///etc/passwd",
      "http://example.com/",
      "http://10.0.0.1:" + port + "/",
      "http://0.0.0.0:" + port + "/",
      "http://127.0.0.1@example.com/",
      "http://example.com@127.0.0.1:" + port + "/record",
      "http://[::1]:" + port + "/record",
      "http://0177.0.0.1:" + port + "/record",
      "http://127.1:" + port + "/record",
      "http://localhost.example.com:" + port + "/",
      "http://127.0.0.1:" + port + "/record with space",
      "http://127.0.0.1:0/record",
      "http://127.0.0.1:99999/record",
      "//127.0.0.1:" + port + "/record",
  };
  for (const std::string& url : rows) {
    SCOPED_TRACE(url);
    auto response = harness_.post(calls_to(url).dump());
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 400) << response->body;
  }
  // A bad entry after a good one rejects the whole body before any call.
  json mixed = {{{"url", recorder_.url()}}, {{"url", "http://example.com/"}}};
  auto response = harness_.post(mixed.dump());
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_EQ(recorder_.count(), 0u);

  response = harness_.post(calls_to("http://localhost:" + port + "/record").dump());
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  EXPECT_EQ(recorder_.wait_for(1).size(), 1u);
}

TEST_F(W3cHarnessTest, StopsCleanlyOnSigterm) {
  auto status = harness_.process().stop();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "wait status " << *status;
  EXPECT_NE(harness_.log().find("stopped on signal"), std::string::npos) << harness_.log();
}

TEST(W3cHarnessCommandLine, ListensOnExactlyTheRequestedPort) {
  const TemporaryDirectory temporary;
  const std::string& directory = temporary.path();
  const int port = free_loopback_port();
  ASSERT_GT(port, 0);
  Harness harness(directory, "harness", "127.0.0.1:" + std::to_string(port));
  ASSERT_TRUE(harness.wait_until_listening()) << harness.log();
  EXPECT_EQ(harness.port(), port);
  auto response = harness.post("[]");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(W3cHarnessCommandLine, FailsWhenThePortIsTaken) {
  const TemporaryDirectory temporary;
  const std::string& directory = temporary.path();
  httplib::Server occupant;
  const int port = occupant.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  ChildProcess harness({harness_path, "--listen", "127.0.0.1:" + std::to_string(port)},
                       directory + "/taken.log");
  auto status = harness.wait_for_exit(startup_timeout);
  ASSERT_TRUE(status) << "the harness kept running on a taken port";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 1) << "wait status " << *status;
  EXPECT_NE(read_file(directory + "/taken.log").find("cannot listen"), std::string::npos);
}

TEST(W3cHarnessCommandLine, RejectsBadUsageWithExitStatus2) {
  struct Row {
    const char* name;
    std::vector<std::string> arguments;
    int exit_status;
    const char* output;
  };
  const Row rows[] = {
      {"help", {"--help"}, 0, "Usage: tracemesh-w3c-harness"},
      {"unknown_flag", {"--port", "80"}, 2, "unknown argument '--port'"},
      {"listen_without_value", {"--listen"}, 2, "--listen needs a value"},
      {"any_address", {"--listen", "0.0.0.0:7777"}, 2, "not a loopback IPv4 address"},
      {"other_host", {"--listen=10.1.2.3:7777"}, 2, "not a loopback IPv4 address"},
      {"host_name", {"--listen", "localhost:7777"}, 2, "not a loopback IPv4 address"},
      {"no_port", {"--listen", "127.0.0.1"}, 2, "is not HOST:PORT"},
      {"port_out_of_range", {"--listen", "127.0.0.1:65536"}, 2, "from 0 to 65535"},
  };
  const TemporaryDirectory temporary;
  const std::string& directory = temporary.path();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    std::vector<std::string> argv = {harness_path};
    argv.insert(argv.end(), row.arguments.begin(), row.arguments.end());
    const std::string output_path = directory + "/" + row.name + ".log";
    ChildProcess harness(argv, output_path);
    auto status = harness.wait_for_exit(startup_timeout);
    ASSERT_TRUE(status) << "still running";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == row.exit_status)
        << "wait status " << *status;
    EXPECT_NE(read_file(output_path).find(row.output), std::string::npos) << read_file(output_path);
  }
}

}  // namespace
