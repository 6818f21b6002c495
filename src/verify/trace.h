// A trace as `tracemesh verify` checks it: its spans and the integrity
// findings the collector judged (or that verify judged the same way from
// OTLP files), read from the query API's JSON (GET /api/traces/{id}).
//
// Ids stay hex strings, as the API writes them and as reports print them;
// attributes stay JSON values so assertions can compare numbers as numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "tracemesh/expected.h"

namespace tracemesh::verify {

struct Span {
  std::string span_id;
  std::string parent_span_id;  // empty for a root
  std::string service;
  std::string name;
  std::string kind;  // "server", "client", "producer", "consumer", "internal", "unspecified"
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  std::string status_code;  // "unset", "ok", "error"
  std::string status_message;
  nlohmann::json attributes = nlohmann::json::object();

  std::uint64_t duration_nanos() const noexcept {
    return end_unix_nano > start_unix_nano ? end_unix_nano - start_unix_nano : 0;
  }
};

struct Orphan {
  std::string span_id;
  std::string missing_parent_id;
  std::string service;
};

struct ClockSkew {
  std::string span_id;
  std::string parent_id;
  std::string service;
  std::string parent_service;
  std::uint64_t starts_early_nanos = 0;
  std::uint64_t ends_late_nanos = 0;
};

struct BrokenHop {
  std::string caller_span_id;
  std::string caller_service;
  std::string caller_span_name;
  std::string callee_trace_id;
  std::string callee_span_id;
  std::string callee_service;
  std::string callee_span_name;
  std::string protocol;
  std::string culprit;  // "caller_did_not_inject", "callee_did_not_extract", "unknown"
};

struct Trace {
  std::string trace_id;
  bool settled = false;
  std::vector<Span> spans;  // in start order
  std::vector<std::string> roots;
  std::vector<Orphan> orphans;
  std::vector<ClockSkew> skew;
  std::vector<std::string> unfinished;
  std::vector<BrokenHop> broken_hops;

  // Return the span with `span_id`, or nullptr. Builds an index on first use
  // (and again when spans were added): not for concurrent first calls.
  const Span* find(std::string_view span_id) const noexcept;
  // Return the first root span, or nullptr when no root arrived.
  const Span* root() const noexcept;
  // From the earliest start to the latest end.
  std::uint64_t duration_nanos() const noexcept;

 private:
  mutable std::unordered_map<std::string, std::size_t> index_;
};

// Parse one trace in the query API's shape ({trace_id, spans, verdict}).
// An Error (invalid_input) says which field is missing or malformed.
Expected<Trace> parse_trace(std::string_view api_json);

}  // namespace tracemesh::verify
