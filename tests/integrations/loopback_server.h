// Test support: a cpp-httplib server on a free 127.0.0.1 port, run on a
// background thread, and a tracer that records spans in memory.
#pragma once

#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "tracemesh/in_memory_exporter.h"
#include "tracemesh/tracer.h"

namespace tracemesh::testing {

class LoopbackServer {
 public:
  LoopbackServer() = default;
  ~LoopbackServer() { stop(); }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  // Bind a free port and serve; configure `server` (routes, hooks) first.
  void start() {
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void stop() {
    if (!thread_.joinable()) return;
    server.stop();
    thread_.join();
  }
  int port() const noexcept { return port_; }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  httplib::Server server;

 private:
  int port_ = 0;
  std::thread thread_;
};

// A tracer exporting synchronously into memory.
struct RecordingTracer {
  explicit RecordingTracer(const std::string& service,
                           const std::string& propagators = "tracecontext,baggage")
      : exporter(std::make_shared<InMemoryExporter>()),
        tracer(make(service, propagators, exporter)) {}

  std::shared_ptr<InMemoryExporter> exporter;
  Tracer tracer;

 private:
  static Tracer make(const std::string& service, const std::string& propagators,
                     std::shared_ptr<InMemoryExporter> exporter) {
    TracerOptions options;
    options.service_name = service;
    options.propagators = propagators;
    options.exporter = std::move(exporter);
    options.synchronous_export = true;
    options.sampler_name = "always_on";
    MapEnvironment empty;
    auto config = finalize(options, empty);
    if (!config) throw std::runtime_error(std::string(config.error().text()));
    return Tracer(std::move(*config));
  }
};

// Return the value of `key` in `span`'s attributes as T, or a default T.
template <typename T>
T attribute(const SpanData& span, std::string_view key) {
  const AttributeValue* value = find_attribute(span.attributes, key);
  if (value == nullptr) return T{};
  const T* typed = value->get_if<T>();
  return typed != nullptr ? *typed : T{};
}

}  // namespace tracemesh::testing
