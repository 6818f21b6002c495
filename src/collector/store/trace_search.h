// Finding traces and listing what the store knows: GET /api/traces,
// GET /api/services, GET /api/services/{name}/operations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "collector/store/span_store.h"
#include "tracemesh/expected.h"

namespace tracemesh::collector {

inline constexpr std::size_t max_search_limit = 1000;

// Every field is optional; a trace must match all that are set.
struct TraceQuery {
  std::string service;         // has a span of this service
  std::string operation;       // has a span with this name (of `service`, when set)
  std::string root_service;    // its root span is in this service
  std::string root_operation;  // its root span has this name
  // Each: some span has key = value (for an array attribute: one element).
  std::vector<std::pair<std::string, std::string>> attributes;
  std::optional<std::uint64_t> min_duration_nanos;
  std::optional<std::uint64_t> max_duration_nanos;
  std::optional<std::uint64_t> start_after_unix_nano;   // the trace starts at or after
  std::optional<std::uint64_t> start_before_unix_nano;  // the trace starts at or before
  std::string integrity;   // connected, broken_hop, orphans, multiple_roots, arriving
  std::size_t limit = 20;  // at most max_search_limit
};

struct TraceSummary {
  TraceId trace_id;
  std::string root_service;  // empty when no root arrived
  std::string root_name;
  std::uint64_t start_unix_nano = 0;
  std::uint64_t end_unix_nano = 0;
  std::int64_t span_count = 0;
  std::string integrity;
};

// Return the most recent traces matching `query`, newest first.
Expected<std::vector<TraceSummary>> search_traces(const SpanStore& store, const TraceQuery& query);

// Return every service name, sorted.
Expected<std::vector<std::string>> list_services(const SpanStore& store);

struct Operation {
  std::string name;
  std::string kind;
};
// Return the span names (and kinds) of `service`, sorted.
Expected<std::vector<Operation>> list_operations(const SpanStore& store,
                                                 const std::string& service);

// The attribute keys of the most recently stored spans, as a tag list reads
// them (Tempo's /api/search/tags): the spans' own and their resources', each
// sorted. Only the last `sample_spans` spans stored are read, so the answer
// costs the same whatever the store holds.
struct AttributeKeys {
  std::vector<std::string> span;
  std::vector<std::string> resource;
};
Expected<AttributeKeys> recent_attribute_keys(const SpanStore& store, std::size_t sample_spans);

// The distinct scalar values (as text) of attribute `key`, span or resource,
// in the last `sample_spans` spans stored: at most `max_values`, sorted.
Expected<std::vector<std::string>> recent_attribute_values(const SpanStore& store,
                                                           const std::string& key,
                                                           std::size_t sample_spans,
                                                           std::size_t max_values);

// Return every span name of every service, sorted, each once.
Expected<std::vector<std::string>> list_operation_names(const SpanStore& store);

// Return how many stored traces are in each integrity state.
Expected<std::vector<std::pair<std::string, std::int64_t>>> count_traces_by_integrity(
    const SpanStore& store);

}  // namespace tracemesh::collector
