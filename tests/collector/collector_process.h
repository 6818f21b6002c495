// Test support: a `tracemesh collect` process on free loopback ports with
// its own data directory, and small helpers for the tests that drive it.
#pragma once

#include <httplib.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"

namespace tracemesh::testing {

using namespace std::chrono_literals;
using nlohmann::json;

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::stringstream content;
  content << file.rdbuf();
  return content.str();
}

inline std::string random_hex(std::size_t digits) {
  thread_local std::mt19937_64 random(
      std::random_device{}());  // tests call it from several threads
  static constexpr char hex[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < digits; ++i) text += hex[random() % 16];
  return text;
}

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tracemesh-collect.XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TemporaryDirectory() {
    if (!::testing::Test::HasFailure()) std::filesystem::remove_all(path_);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One `tracemesh collect` process on free loopback ports.
class Collector {
 public:
  Collector(const std::filesystem::path& directory, std::vector<std::string> extra = {})
      : log_(directory / ("collect-" + std::to_string(++started_) + ".log")) {
    std::vector<std::string> argv = {TRACEMESH_BINARY,
                                     "collect",
                                     "--otlp-listen",
                                     "127.0.0.1:0",
                                     "--otlp-grpc-listen",
                                     "127.0.0.1:0",
                                     "--http-listen",
                                     "127.0.0.1:0",
                                     "--data",
                                     (directory / "data").string(),
                                     "--format",
                                     "json"};
    // A short grace period unless the test sets its own.
    if (std::find(extra.begin(), extra.end(), "--grace") == extra.end()) {
      argv.insert(argv.end(), {"--grace", "300ms"});
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<ChildProcess>(argv, log_.string());
    for (int i = 0; i < 500 && ports_ready() == false && process_->running(); ++i) {
      std::this_thread::sleep_for(10ms);
    }
  }

  bool ready() const { return otlp_port_ != 0; }
  int otlp_port() const { return otlp_port_; }
  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }
  std::string http_url() const { return "http://127.0.0.1:" + std::to_string(http_port_); }
  std::string log() const { return read_file(log_); }
  ChildProcess& process() { return *process_; }
  httplib::Client otlp() const { return client(otlp_port_); }
  httplib::Client http() const { return client(http_port_); }

  httplib::Result post(const std::string& body, const std::string& content_type,
                       const httplib::Headers& headers = {}) const {
    return otlp().Post("/v1/traces", headers, body, content_type);
  }
  json get_json(const std::string& path) const {
    auto response = http().Get(path);
    if (!response) return json();
    return json::parse(response->body, nullptr, false);
  }

 private:
  static httplib::Client client(int port) {
    httplib::Client result("127.0.0.1", port);
    result.set_read_timeout(10, 0);
    return result;
  }
  // The startup line (standard output) among the event log's (standard error).
  bool ports_ready() {
    const std::string text = log();
    const std::size_t start = text.find("{\"otlp\"");
    if (start == std::string::npos) return false;
    const std::size_t newline = text.find('\n', start);
    if (newline == std::string::npos) return false;
    const json line = json::parse(text.substr(start, newline - start), nullptr, false);
    if (!line.is_object()) return false;
    otlp_port_ = port_of(line.value("otlp", ""));
    http_port_ = port_of(line.value("http", ""));
    grpc_port_ = port_of(line.value("otlp_grpc", ""));
    return otlp_port_ != 0;
  }
  static int port_of(const std::string& url) {
    const std::size_t colon = url.rfind(':');
    return colon == std::string::npos ? 0 : std::atoi(url.c_str() + colon + 1);
  }

  static inline std::atomic<int> started_{0};
  std::filesystem::path log_;
  std::unique_ptr<ChildProcess> process_;
  int otlp_port_ = 0;
  int http_port_ = 0;
  int grpc_port_ = 0;
};

}  // namespace tracemesh::testing
