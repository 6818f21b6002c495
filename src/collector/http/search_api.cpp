#include "collector/http/search_api.h"

#include "collector/store/hop_counts.h"
#include "collector/store/service_graph.h"
#include "collector/store/trace_search.h"
#include "model/duration.h"
#include "report/json_writer.h"

namespace tracemesh::collector {
namespace {

TraceQuery to_trace_query(const QueryParams& params) {
  TraceQuery query;
  if (const auto* value = single(params, "service")) query.service = *value;
  if (const auto* value = single(params, "operation")) query.operation = *value;
  if (const auto* value = single(params, "root_service")) query.root_service = *value;
  if (const auto* value = single(params, "root_operation")) query.root_operation = *value;
  const auto [first, last] = params.equal_range("attr");
  for (auto it = first; it != last; ++it) {
    const std::size_t equals = it->second.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw BadParameter{"attr must be KEY=VALUE, not '" + it->second + "'"};
    }
    query.attributes.emplace_back(it->second.substr(0, equals), it->second.substr(equals + 1));
  }
  if (const auto* value = single(params, "min_duration")) {
    query.min_duration_nanos = duration(*value, "min_duration");
  }
  if (const auto* value = single(params, "max_duration")) {
    query.max_duration_nanos = duration(*value, "max_duration");
  }
  if (const auto* value = single(params, "start"))
    query.start_after_unix_nano = unsigned_number(*value, "start");
  if (const auto* value = single(params, "end"))
    query.start_before_unix_nano = unsigned_number(*value, "end");
  if (const auto* value = single(params, "integrity")) {
    static const char* const states[] = {"connected", "broken_hop", "orphans", "multiple_roots",
                                         "arriving"};
    if (std::find(std::begin(states), std::end(states), *value) == std::end(states)) {
      throw BadParameter{
          "integrity must be connected, broken_hop, orphans, multiple_roots or arriving"};
    }
    query.integrity = *value;
  }
  if (const auto* value = single(params, "limit")) {
    const std::uint64_t limit = unsigned_number(*value, "limit");
    if (limit == 0 || limit > max_search_limit) {
      throw BadParameter{"limit must be 1 to " + std::to_string(max_search_limit)};
    }
    query.limit = limit;
  }
  return query;
}

}  // namespace

QueryAnswer answer_search(const QueryParams& params, const SpanStore& store) {
  TraceQuery query;
  try {
    query = to_trace_query(params);
  } catch (const BadParameter& bad) {
    return query_error(400, bad.message);
  }
  const auto found = search_traces(store, query);
  if (!found) return query_error(500, found.error().text());
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().key("traces").begin_array();
  for (const TraceSummary& trace : *found) {
    json.begin_object()
        .field("trace_id", trace.trace_id.to_hex())
        .field("root_service", trace.root_service)
        .field("root_name", trace.root_name)
        .field("start_unix_nano", trace.start_unix_nano)
        .field("duration_nanos", trace.end_unix_nano >= trace.start_unix_nano
                                     ? trace.end_unix_nano - trace.start_unix_nano
                                     : std::uint64_t{0})
        .field("span_count", trace.span_count)
        .field("integrity", trace.integrity)
        .end_object();
  }
  json.end_array().end_object();
  return {200, json.take()};
}

QueryAnswer answer_services(const SpanStore& store) {
  const auto services = list_services(store);
  if (!services) return query_error(500, services.error().text());
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().key("services").begin_array();
  for (const std::string& name : *services) json.value(name);
  json.end_array().end_object();
  return {200, json.take()};
}

QueryAnswer answer_operations(std::string_view service, const SpanStore& store) {
  const auto operations = list_operations(store, std::string(service));
  if (!operations) return query_error(500, operations.error().text());
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().field("service", service).key("operations").begin_array();
  for (const Operation& operation : *operations) {
    json.begin_object().field("name", operation.name).field("kind", operation.kind).end_object();
  }
  json.end_array().end_object();
  return {200, json.take()};
}

// The window of ?start=&end= or ?lookback= (the last hour up to now by
// default). Throws BadParameter.
namespace {

struct Window {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
};
Window window_params(const QueryParams& params, const SpanStore& store) {
  Window window;
  window.end = store.now_unix_nano();
  if (const auto* value = single(params, "end")) window.end = unsigned_number(*value, "end");
  const std::uint64_t lookback = single(params, "lookback")
                                     ? duration(*single(params, "lookback"), "lookback")
                                     : std::uint64_t{3'600'000'000'000};
  window.start = window.end > lookback ? window.end - lookback : 0;
  if (const auto* value = single(params, "start")) window.start = unsigned_number(*value, "start");
  if (window.start > window.end) throw BadParameter{"start must not be after end"};
  return window;
}

}  // namespace

QueryAnswer answer_graph(const QueryParams& params, const SpanStore& store) {
  Window window;
  try {
    window = window_params(params, store);
  } catch (const BadParameter& bad) {
    return query_error(400, bad.message);
  }
  const auto [start, end] = window;
  const auto graph = service_graph(store, start, end);
  if (!graph) return query_error(500, graph.error().text());
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object().field("start_unix_nano", start).field("end_unix_nano", end);
  json.key("services").begin_array();
  for (const std::string& name : graph->services) json.value(name);
  json.end_array().key("uninstrumented_peers").begin_array();
  for (const std::string& name : graph->uninstrumented_peers) json.value(name);
  json.end_array().key("log_only_services").begin_array();
  for (const std::string& name : graph->log_only_services) json.value(name);
  json.end_array().key("edges").begin_array();
  for (const GraphEdge& edge : graph->edges) {
    json.begin_object()
        .field("caller", edge.caller)
        .field("callee", edge.callee)
        .field("protocol", edge.protocol)
        .field("calls", edge.connected + edge.broken + edge.restarted + edge.unanswered +
                            edge.unsampled + edge.logged)
        .field("connected", edge.connected)
        .field("broken", edge.broken)
        .field("restarted", edge.restarted)
        .field("unsampled", edge.unsampled)
        .field("logged", edge.logged)
        .field("errors", edge.errors)
        .field("p50_ms", edge.p50_ms)
        .field("p95_ms", edge.p95_ms)
        .field("callee_instrumented", edge.callee_instrumented)
        .field("propagation_health", edge.propagation_health())
        .end_object();
  }
  json.end_array();
  json.key("summary")
      .begin_object()
      .field("services_with_tracing", static_cast<std::uint64_t>(graph->services.size()))
      .field("services_total", static_cast<std::uint64_t>(graph->services.size() +
                                                          graph->uninstrumented_peers.size() +
                                                          graph->log_only_services.size()))
      .field("cross_service_calls", graph->calls_total)
      .field("cross_service_calls_connected", graph->calls_connected)
      .field("cross_service_calls_traced_percent",
             graph->calls_total == 0 ? 100.0
                                     : 100.0 * static_cast<double>(graph->calls_connected) /
                                           static_cast<double>(graph->calls_total))
      .end_object();
  json.end_object();
  return {200, json.take()};
}

QueryAnswer answer_hops(const QueryParams& params, const SpanStore& store) {
  Window window;
  try {
    window = window_params(params, store);
  } catch (const BadParameter& bad) {
    return query_error(400, bad.message);
  }
  const auto counts = hop_counts(store, window.start, window.end);
  if (!counts) return query_error(500, counts.error().text());
  return {200, hops_json(*counts, window.start, window.end)};
}

std::string hops_json(const HopCounts& counts, std::uint64_t start, std::uint64_t end) {
  report::JsonWriter json(report::JsonWriter::Layout::compact);
  json.begin_object()
      .field("start_unix_nano", start)
      .field("end_unix_nano", end)
      .field("unsettled_traces", counts.unsettled_traces)
      .field("truncated", counts.truncated);
  json.key("hops").begin_array();
  for (const HopCount& hop : counts.hops) {
    const HopKey& key = hop.key;
    json.begin_object().field("caller", key.caller);
    json.key("callee").text_or_null(key.callee);
    json.key("peer").text_or_null(key.peer);
    json.field("protocol", key.protocol);
    json.key("method").text_or_null(key.method);
    json.key("route").text_or_null(key.route);
    json.key("path").text_or_null(key.path);
    json.key("topic").text_or_null(key.topic);
    json.key("site");
    if (key.site_file.empty()) {
      json.null();
    } else {
      json.begin_object()
          .field("file", key.site_file)
          .field("line", key.site_line)
          .field("function", key.site_function)
          .end_object();
    }
    json.field("connected", hop.connected).key("broken").begin_object();
    for (const auto& [culprit, calls] : hop.broken) json.field(culprit, calls);
    json.end_object()
        .field("restarted", hop.restarted)
        .field("unanswered", hop.unanswered)
        .field("unsampled", hop.unsampled)
        .field("logged", hop.logged)
        .key("formats")
        .begin_object();
    for (const auto& [format, calls] : hop.formats) json.field(format, calls);
    json.end_object().field("example_trace_id", hop.example_trace_id).end_object();
  }
  json.end_array().end_object();
  return json.take();
}

}  // namespace tracemesh::collector
