#include "collector/http/jaeger_api.h"

#include <map>
#include <nlohmann/json.hpp>

#include "collector/store/service_graph.h"
#include "collector/store/trace_search.h"
#include "model/trace_json.h"

namespace tracemesh::collector {
namespace {

using nlohmann::json;

constexpr std::uint64_t nanos_per_micro = 1000;
// Results are cut once they hold this many spans (the rest of the limit is
// left out): a search for 1,000 traces of 50,000 spans each must not take the
// collector's memory.
constexpr std::size_t max_search_spans = 200'000;

// `value` (a parameter `name` in `unit`s) in nanoseconds; BadParameter when
// that does not fit.
std::uint64_t scaled(std::uint64_t value, std::uint64_t unit, const char* name) {
  if (value > UINT64_MAX / unit) throw BadParameter{std::string(name) + " is out of range"};
  return value * unit;
}

QueryAnswer jaeger_answer(json data, int status = 200) {
  const std::size_t total = data.is_array() ? data.size() : 0;
  json out = {{"data", std::move(data)},
              {"total", total},
              {"limit", 0},
              {"offset", 0},
              {"errors", nullptr}};
  return {status, out.dump()};
}

// A Jaeger tag: the value typed as Jaeger types it.
json tag(const std::string& key, const json& value) {
  if (value.is_boolean()) return {{"key", key}, {"type", "bool"}, {"value", value}};
  if (value.is_number_integer()) return {{"key", key}, {"type", "int64"}, {"value", value}};
  if (value.is_number()) return {{"key", key}, {"type", "float64"}, {"value", value}};
  if (value.is_string()) return {{"key", key}, {"type", "string"}, {"value", value}};
  return {{"key", key}, {"type", "string"}, {"value", value.dump()}};  // arrays, objects
}

json tags_of(const std::string& attributes_json) {
  json tags = json::array();
  const json attributes = json::parse(attributes_json, nullptr, false);
  if (!attributes.is_object()) return tags;
  for (const auto& [key, value] : attributes.items()) tags.push_back(tag(key, value));
  return tags;
}

// Jaeger's span.kind: server, client, producer, consumer, internal; "" when unspecified.
std::string jaeger_kind(model::SpanKind kind) {
  return kind == model::SpanKind::unspecified ? std::string() : model::to_string(kind);
}

// What the verdict says against the trace, one sentence a finding.
std::vector<std::string> verdict_warnings(const json& verdict) {
  std::vector<std::string> warnings;
  // A trace still arriving is not judged yet: its missing parents may be on their way.
  if (verdict.value("state", "") != "settled") return warnings;
  const std::string integrity = verdict.value("integrity", "");
  if (integrity.empty() || integrity == "connected") return warnings;
  warnings.push_back("tracemesh: trace integrity " + integrity);
  for (const json& hop : verdict.value("broken_hops", json::array())) {
    warnings.push_back("tracemesh: broken hop: " + hop.value("caller_service", "") + " span " +
                       hop.value("caller_span_id", "") + " got no server span; " +
                       hop.value("callee_service", "") + " started trace " +
                       hop.value("callee_trace_id", "") +
                       " instead (likely culprit: " + hop.value("culprit", "unknown") + ")");
  }
  for (const json& orphan : verdict.value("orphans", json::array())) {
    warnings.push_back("tracemesh: orphan span " + orphan.value("span_id", "") + " of " +
                       orphan.value("service", "") + ": parent " +
                       orphan.value("missing_parent_id", "") + " never arrived");
  }
  const std::size_t roots = verdict.value("roots", json::array()).size();
  if (roots > 1) warnings.push_back("tracemesh: " + std::to_string(roots) + " root spans");
  return warnings;
}

// Span id → the warnings the verdict lays on that span.
std::map<std::string, std::vector<std::string>> span_warnings(const json& verdict) {
  std::map<std::string, std::vector<std::string>> out;
  if (verdict.value("state", "") != "settled") return out;
  for (const json& hop : verdict.value("broken_hops", json::array())) {
    out[hop.value("caller_span_id", "")].push_back(
        "tracemesh: broken hop: the callee (" + hop.value("callee_service", "") +
        ") started trace " + hop.value("callee_trace_id", "") + " instead");
  }
  for (const json& orphan : verdict.value("orphans", json::array())) {
    out[orphan.value("span_id", "")].push_back(
        "tracemesh: orphan: parent " + orphan.value("missing_parent_id", "") + " never arrived");
  }
  return out;
}

json jaeger_trace_json(const TraceId& trace_id, const StoredTrace& stored,
                       const model::IntegrityOptions& integrity) {
  std::string verdict_text = stored.settled_verdict_json;
  if (verdict_text.empty()) {
    const std::uint64_t last = stored.last_received_unix_nano;
    verdict_text = model::verdict_json(model::analyze_trace(stored.spans, last, last, integrity));
  }
  const json verdict = json::parse(verdict_text, nullptr, false);
  const auto marks = span_warnings(verdict);
  std::map<std::string, std::string> process_ids;  // service + resource → p1, p2...
  json processes = json::object();
  json spans = json::array();
  const std::string trace_hex = trace_id.to_hex();
  for (const model::SpanRecord& span : stored.spans) {
    const std::string resource = span.resource_json ? *span.resource_json : std::string("{}");
    const std::string process_key = span.service + '\n' + resource;
    auto [process, added] =
        process_ids.try_emplace(process_key, "p" + std::to_string(process_ids.size() + 1));
    if (added) {
      processes[process->second] = {{"serviceName", span.service}, {"tags", tags_of(resource)}};
    }
    json references = json::array();
    if (!span.is_root()) {
      references.push_back({{"refType", "CHILD_OF"},
                            {"traceID", trace_hex},
                            {"spanID", span.parent_span_id.to_hex()}});
    }
    for (const model::LinkRef& link : span.links) {
      references.push_back({{"refType", "FOLLOWS_FROM"},
                            {"traceID", link.trace_id.to_hex()},
                            {"spanID", link.span_id.to_hex()}});
    }
    json tags = tags_of(span.attributes_json);
    if (const std::string kind = jaeger_kind(span.kind); !kind.empty()) {
      tags.push_back(tag("span.kind", kind));
    }
    if (span.status_code != model::StatusCode::unset) {
      tags.push_back(
          tag("otel.status_code", span.status_code == model::StatusCode::error ? "ERROR" : "OK"));
    }
    if (span.status_code == model::StatusCode::error) {
      tags.push_back(tag("error", true));
      if (!span.status_message.empty()) {
        tags.push_back(tag("otel.status_description", span.status_message));
      }
    }
    if (!span.scope_name.empty()) tags.push_back(tag("otel.scope.name", span.scope_name));
    json logs = json::array();
    const json events = json::parse(span.events_json, nullptr, false);
    if (events.is_array()) {
      for (const json& event : events) {
        json fields = json::array({tag("event", event.value("name", ""))});
        for (const json& field : tags_of(event.value("attributes", json::object()).dump())) {
          fields.push_back(field);
        }
        logs.push_back(
            {{"timestamp", event.value("time_unix_nano", std::uint64_t{0}) / nanos_per_micro},
             {"fields", std::move(fields)}});
      }
    }
    const std::string span_hex = span.span_id.to_hex();
    const auto warned = marks.find(span_hex);
    spans.push_back({{"traceID", trace_hex},
                     {"spanID", span_hex},
                     {"flags", span.flags & 0xffU},
                     {"operationName", span.name},
                     {"references", std::move(references)},
                     {"startTime", span.start_unix_nano / nanos_per_micro},
                     {"duration", span.duration_nanos() / nanos_per_micro},
                     {"tags", std::move(tags)},
                     {"logs", std::move(logs)},
                     {"processID", process->second},
                     {"warnings", warned == marks.end() ? json(nullptr) : json(warned->second)}});
  }
  const std::vector<std::string> warnings = verdict_warnings(verdict);
  return {{"traceID", trace_hex},
          {"spans", std::move(spans)},
          {"processes", std::move(processes)},
          {"warnings", warnings.empty() ? json(nullptr) : json(warnings)}};
}

// Jaeger's `tags` parameter ({"key":"value",...}) and its repeatable `tag=key:value`.
std::vector<std::pair<std::string, std::string>> tag_filters(const QueryParams& params) {
  std::vector<std::pair<std::string, std::string>> filters;
  if (const auto* tags = single(params, "tags")) {
    const json parsed = json::parse(*tags, nullptr, false);
    if (!parsed.is_object()) throw BadParameter{"tags must be a JSON object of strings"};
    for (const auto& [key, value] : parsed.items()) {
      filters.emplace_back(key, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
  const auto [first, last] = params.equal_range("tag");
  for (auto it = first; it != last; ++it) {
    const std::size_t colon = it->second.find(':');
    if (colon == std::string::npos || colon == 0) {
      throw BadParameter{"tag must be KEY:VALUE, not '" + it->second + "'"};
    }
    filters.emplace_back(it->second.substr(0, colon), it->second.substr(colon + 1));
  }
  return filters;
}

TraceQuery jaeger_query(const QueryParams& params, const SpanStore& store) {
  TraceQuery query;
  if (const auto* value = single(params, "service")) query.service = *value;
  if (const auto* value = single(params, "operation")) query.operation = *value;
  query.attributes = tag_filters(params);
  if (const auto* value = single(params, "minDuration"); value != nullptr && !value->empty()) {
    query.min_duration_nanos = duration(*value, "minDuration");
  }
  if (const auto* value = single(params, "maxDuration"); value != nullptr && !value->empty()) {
    query.max_duration_nanos = duration(*value, "maxDuration");
  }
  // start and end in microseconds; else `lookback` (e.g. 1h) before now.
  const std::uint64_t now = store.now_unix_nano();
  if (const auto* value = single(params, "start")) {
    query.start_after_unix_nano =
        scaled(unsigned_number(*value, "start"), nanos_per_micro, "start");
  } else if (const auto* lookback = single(params, "lookback");
             lookback != nullptr && *lookback != "custom") {
    const std::uint64_t span = duration(*lookback, "lookback");
    query.start_after_unix_nano = now > span ? now - span : 0;
  }
  if (const auto* value = single(params, "end")) {
    query.start_before_unix_nano = scaled(unsigned_number(*value, "end"), nanos_per_micro, "end");
  }
  if (const auto* value = single(params, "limit"); value != nullptr && !value->empty()) {
    const std::uint64_t limit = unsigned_number(*value, "limit");
    query.limit = std::clamp<std::uint64_t>(limit == 0 ? 20 : limit, 1, max_search_limit);
  }
  return query;
}

}  // namespace

QueryAnswer jaeger_error(int status, const std::string& message) {
  json out = {{"data", nullptr},
              {"total", 0},
              {"limit", 0},
              {"offset", 0},
              {"errors", json::array({{{"code", status}, {"msg", message}}})}};
  return {status, out.dump()};
}

QueryAnswer jaeger_services(const SpanStore& store) {
  const auto services = list_services(store);
  if (!services) return jaeger_error(500, std::string(services.error().text()));
  return jaeger_answer(json(*services));
}

QueryAnswer jaeger_service_operations(std::string_view service, const SpanStore& store) {
  const auto operations = list_operations(store, std::string(service));
  if (!operations) return jaeger_error(500, std::string(operations.error().text()));
  std::vector<std::string> names;
  for (const Operation& operation : *operations) {  // sorted: a name's kinds stand together
    if (names.empty() || names.back() != operation.name) names.push_back(operation.name);
  }
  return jaeger_answer(json(names));
}

QueryAnswer jaeger_operations(const QueryParams& params, const SpanStore& store) {
  const auto* service = single(params, "service");
  if (service == nullptr || service->empty()) return jaeger_error(400, "service is required");
  const auto operations = list_operations(store, *service);
  if (!operations) return jaeger_error(500, std::string(operations.error().text()));
  const std::string* kind = single(params, "spanKind");
  json data = json::array();
  for (const Operation& operation : *operations) {
    if (kind != nullptr && !kind->empty() && operation.kind != *kind) continue;
    data.push_back({{"name", operation.name},
                    {"spanKind", operation.kind == "unspecified" ? "" : operation.kind}});
  }
  return jaeger_answer(std::move(data));
}

QueryAnswer jaeger_trace(std::string_view trace_id_hex, const SpanStore& store,
                         const model::IntegrityOptions& integrity) {
  const auto trace_id = padded_trace_id(trace_id_hex);
  if (!trace_id) return jaeger_error(400, "a trace id is up to 32 hex digits, not all zero");
  const auto stored = store.trace(*trace_id);
  if (!stored) return jaeger_error(500, std::string(stored.error().text()));
  if (!stored->has_value()) return jaeger_error(404, "trace not found");
  return jaeger_answer(json::array({jaeger_trace_json(*trace_id, **stored, integrity)}));
}

QueryAnswer jaeger_search(const QueryParams& params, const SpanStore& store,
                          const model::IntegrityOptions& integrity) {
  TraceQuery query;
  try {
    query = jaeger_query(params, store);
  } catch (const BadParameter& bad) {
    return jaeger_error(400, bad.message);
  }
  const auto found = search_traces(store, query);
  if (!found) return jaeger_error(500, std::string(found.error().text()));
  json data = json::array();
  std::size_t spans = 0;
  for (const TraceSummary& summary : *found) {
    if (spans >= max_search_spans) break;  // newest first: the older ones are left out
    const auto stored = store.trace(summary.trace_id);
    if (!stored) return jaeger_error(500, std::string(stored.error().text()));
    if (stored->has_value()) {
      spans += (*stored)->spans.size();
      data.push_back(jaeger_trace_json(summary.trace_id, **stored, integrity));
    }
  }
  return jaeger_answer(std::move(data));
}

QueryAnswer jaeger_dependencies(const QueryParams& params, const SpanStore& store) {
  std::uint64_t end = store.now_unix_nano();
  std::uint64_t lookback = 24ULL * 3600 * 1'000'000'000;
  try {
    // Jaeger's are milliseconds.
    if (const auto* value = single(params, "endTs"))
      end = unsigned_number(*value, "endTs") * 1'000'000;
    if (const auto* value = single(params, "lookback")) {
      lookback = unsigned_number(*value, "lookback") * 1'000'000;
    }
  } catch (const BadParameter& bad) {
    return jaeger_error(400, bad.message);
  }
  const auto graph = service_graph(store, end > lookback ? end - lookback : 0, end);
  if (!graph) return jaeger_error(500, std::string(graph.error().text()));
  std::map<std::pair<std::string, std::string>, std::uint64_t> calls;
  for (const GraphEdge& edge : graph->edges) {
    calls[{edge.caller, edge.callee}] += edge.connected + edge.broken + edge.restarted +
                                         edge.unanswered + edge.unsampled + edge.logged;
  }
  json data = json::array();
  for (const auto& [pair, count] : calls) {
    data.push_back({{"parent", pair.first}, {"child", pair.second}, {"callCount", count}});
  }
  return jaeger_answer(std::move(data));
}

}  // namespace tracemesh::collector
