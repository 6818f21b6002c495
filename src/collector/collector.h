// `tracemesh collect`: the OTLP/HTTP ingest listener and the query listener
// around one span store.
//
//   OTLP listener  POST /v1/traces, /v1/logs   application/x-protobuf | application/json
//                  (gzip allowed); POST /v1/metrics (accepted, dropped); POST /api/v2/spans
//   OTLP/gRPC      TraceService/Export, LogsService/Export, MetricsService/Export
//                  (accepted, dropped), when asked for (grpc/otlp_grpc_service.h)
//   HTTP listener  GET /api/traces/{trace_id}, /api/logs, ..., GET /metrics
// and the log files it follows (log_tail.h).
//
// Both listen on loopback unless told otherwise. A request answered 200 is
// committed to the store. Limits are explicit (CollectorOptions) and a
// request over one is refused with a status that says which.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "collector/event_log.h"
#include "collector/log_tail.h"
#include "collector/store/span_store.h"
#include "ingest/decoded_batch.h"
#include "tracemesh/expected.h"

namespace tracemesh::collector {

struct Listen {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
};

struct CollectorOptions {
  Listen otlp{"127.0.0.1", 4318};
  Listen http{"127.0.0.1", 16686};
  std::optional<Listen> grpc;  // OTLP/gRPC: none unless set (the CLI's default is :4317)
  std::size_t max_grpc_connections = 256;
  std::filesystem::path data_directory;
  std::size_t max_body_bytes = std::size_t{16} << 20U;          // as received (compressed or not)
  std::size_t max_decompressed_bytes = std::size_t{64} << 20U;  // after gzip
  ingest::DecodeLimits decode;
  StoreOptions store;                       // directory is data_directory
  int retry_after_seconds = 1;              // what 429/503 answers tell the sender
  std::optional<std::string> ingest_token;  // bearer token required on the OTLP listener
  std::optional<std::string> query_token;   // bearer token required on the HTTP listener
  // `tracemesh collect --repo PATH`: turns an /api/hops answer into the
  // propagation map's JSON (tracemesh.map/v1), which GET /api/map serves for
  // the same window parameters. Empty: /api/map answers 404. Called on the
  // HTTP threads, concurrently.
  std::function<Expected<std::string>(const std::string& hops_json)> map_report;
  std::string version = "unknown";  // tracemesh_build_info{version}
  // Where start, store errors, overload and retention are logged (none: not logged).
  std::shared_ptr<EventLog> log;
  // JSON-lines log files to follow (log_tail.h).
  std::vector<LogFileSource> log_files;
};

class Collector {
 public:
  // Open the store, bind both listeners and start serving on background threads.
  static Expected<std::unique_ptr<Collector>> start(CollectorOptions options);
  ~Collector();  // stops serving, then closes the store
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  int otlp_port() const noexcept;
  int http_port() const noexcept;
  int grpc_port() const noexcept;  // 0 without an OTLP/gRPC listener
  // Stop both listeners; idempotent, callable from another thread.
  void stop();
  // Block until stop() (or a listener failing).
  void wait();
  // Return whether a listener stopped without stop() being called (after wait()).
  bool failed() const noexcept;

  struct State;

 private:
  explicit Collector(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tracemesh::collector
