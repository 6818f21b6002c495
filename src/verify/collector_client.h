// The collector's query API as verify uses it: one trace by id, and the
// traces a selector finds (GET /api/traces/{id}, GET /api/traces). The same
// from other backends (`verify --jaeger URL`, `--tempo URL`): Jaeger's query
// API (/api/traces/{id}, /api/traces?service=) and Tempo's (/api/traces/{id}
// as protobuf, /api/search?tags=). Those do not judge traces: verify judges
// each one from its own spans once its span count has not changed for
// BackendOptions::quiet_nanos (broken hops, which need other traces' roots,
// are judged by tracemesh's collector only).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/trace.h"
#include "model/trace_integrity.h"
#include "tracemesh/expected.h"
#include "verify/spec.h"

namespace tracemesh::verify {

enum class Backend { tracemesh, jaeger, tempo };

struct BackendOptions {
  Backend backend = Backend::tracemesh;
  model::IntegrityOptions integrity;          // how verify judges a Jaeger or Tempo trace
  std::uint64_t quiet_nanos = 2'000'000'000;  // unchanged this long: the trace is settled
};

class CollectorClient {
 public:
  // `base_url` is http(s)://HOST:PORT of the collector's http listener (for
  // Jaeger and Tempo, a path prefix may follow, as behind a proxy); `token`
  // is sent as a bearer token when set. An Error for a URL verify cannot use.
  static Expected<CollectorClient> connect(const std::string& base_url,
                                           std::optional<std::string> token,
                                           BackendOptions backend = {});

  CollectorClient(CollectorClient&&) noexcept;
  CollectorClient& operator=(CollectorClient&&) noexcept;
  ~CollectorClient();

  // The trace, or nullopt when the collector holds no span of it yet.
  // transport_error when the collector cannot be reached; invalid_input when
  // it refuses the request (a bad token: 401).
  Expected<std::optional<model::Trace>> trace(const std::string& trace_id);  // 32 hex digits

  // Ids of the newest traces `selector` selects, started at or after
  // `start_after_unix_nano` when set; at most `limit` (1 to 1000).
  Expected<std::vector<std::string>> search(const TraceSelector& selector,
                                            std::optional<std::uint64_t> start_after_unix_nano,
                                            std::size_t limit);

  // Give up on a request after `timeout` (connecting and reading).
  void set_timeout(std::chrono::milliseconds timeout);

 private:
  struct State;
  explicit CollectorClient(std::unique_ptr<State> state);
  Expected<std::optional<model::Trace>> backend_trace(const std::string& trace_id);
  Expected<std::vector<std::string>> backend_search(const TraceSelector& selector,
                                                    std::optional<std::uint64_t> start_after,
                                                    std::size_t limit);
  std::unique_ptr<State> state_;
};

}  // namespace tracemesh::verify
