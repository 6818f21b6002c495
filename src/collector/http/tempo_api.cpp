#include "collector/http/tempo_api.h"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "collector/http/otlp_trace_encoding.h"
#include "collector/store/trace_search.h"

namespace tracemesh::collector {
namespace {

using nlohmann::json;

constexpr std::uint64_t nanos_per_second = 1'000'000'000;

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}
constexpr std::size_t max_tag_values = 1000;

// Tempo answers errors as plain text.
QueryAnswer tempo_error(int status, std::string message) {
  return {status, std::move(message) + "\n", "text/plain; charset=utf-8"};
}

bool wants_protobuf(std::string_view accept) {
  return accept.find("application/protobuf") != std::string_view::npos ||
         accept.find("application/x-protobuf") != std::string_view::npos;
}

// A protobuf length-delimited field 1 holding `bytes` (TraceByIDResponse.trace).
std::string field_one(const std::string& bytes) {
  std::string out(1, '\x0a');
  for (std::uint64_t length = bytes.size();; length >>= 7U) {
    if (length < 0x80) {
      out += static_cast<char>(length);
      break;
    }
    out += static_cast<char>((length & 0x7fU) | 0x80U);
  }
  return out + bytes;
}

// The condition of a TraceQL-like query we understand, applied to `query`.
void apply_tag(TraceQuery& query, const std::string& key, const std::string& value) {
  if (key == "service.name" || key == "resource.service.name" || key == ".service.name") {
    query.service = value;
  } else if (key == "name") {
    query.operation = value;
  } else {
    std::string attribute = key;
    for (const char* scope : {"span.", "resource.", "."}) {
      const std::string prefix(scope);
      if (attribute.rfind(prefix, 0) == 0) {
        attribute.erase(0, prefix.size());
        break;
      }
    }
    query.attributes.emplace_back(attribute, value);
  }
}

// The TraceQL we read: {} or { cond && cond ... } where cond is
// `key = "value"` / `key = number` or `traceDuration <op> 250ms`.
void apply_traceql(TraceQuery& query, std::string_view text) {
  const auto unsupported = [&](const std::string& why) {
    return BadParameter{
        "q: tracemesh reads only TraceQL of the form { key = \"value\" && traceDuration > 1s }, "
        "joined by && (" +
        why + "); search with tags= (logfmt), or use the Jaeger data source at /jaeger"};
  };
  std::string_view rest = trim(text);
  if (rest.size() < 2 || rest.front() != '{' || rest.back() != '}') throw unsupported("no {...}");
  rest = trim(rest.substr(1, rest.size() - 2));
  if (rest.find("||") != std::string_view::npos || rest.find('{') != std::string_view::npos ||
      rest.find('}') != std::string_view::npos) {
    throw unsupported("only conditions joined by && are read");
  }
  while (!rest.empty()) {
    const std::size_t and_at = rest.find("&&");
    const std::string_view condition = trim(rest.substr(0, and_at));
    rest = and_at == std::string_view::npos ? std::string_view() : rest.substr(and_at + 2);
    const std::size_t op_at = condition.find_first_of("=<>!~");
    if (op_at == std::string_view::npos || op_at == 0) throw unsupported("no operator");
    const std::string key(trim(condition.substr(0, op_at)));
    std::size_t op_end = op_at + 1;
    if (op_end < condition.size() && (condition[op_end] == '=' || condition[op_end] == '~')) {
      ++op_end;
    }
    const std::string op(condition.substr(op_at, op_end - op_at));
    std::string value(trim(condition.substr(op_end)));
    if (key == "traceDuration") {
      if (op == ">" || op == ">=") {
        query.min_duration_nanos = duration(value, "q traceDuration");
      } else if (op == "<" || op == "<=") {
        query.max_duration_nanos = duration(value, "q traceDuration");
      } else {
        throw unsupported("traceDuration takes > >= < <=");
      }
      continue;
    }
    if (op != "=") throw unsupported("attributes take = only");
    if (key == "status" || key == "kind" || key == "duration" || key == "statusMessage" ||
        key == "rootName" || key == "rootServiceName") {
      throw unsupported("the intrinsic " + key + " is not read");
    }
    const bool quoted = value.size() >= 2 && value.front() == '"' && value.back() == '"' &&
                        value.find('"', 1) == value.size() - 1;
    if (quoted) {
      value = value.substr(1, value.size() - 2);
    } else if (value.empty() || (value.find_first_not_of("-0123456789.") != std::string::npos &&
                                 value != "true" && value != "false")) {
      throw unsupported("a value is \"text\", a number, true or false");
    }
    apply_tag(query, key, value);
  }
}

TraceQuery tempo_query(const QueryParams& params) {
  TraceQuery query;
  if (const auto* tags = single(params, "tags"); tags != nullptr && !tags->empty()) {
    for (const auto& [key, value] : parse_logfmt_tags(*tags)) apply_tag(query, key, value);
  }
  if (const auto* q = single(params, "q"); q != nullptr && !q->empty()) apply_traceql(query, *q);
  if (const auto* value = single(params, "minDuration"); value != nullptr && !value->empty()) {
    query.min_duration_nanos = duration(*value, "minDuration");
  }
  if (const auto* value = single(params, "maxDuration"); value != nullptr && !value->empty()) {
    query.max_duration_nanos = duration(*value, "maxDuration");
  }
  const auto seconds = [](const std::string& text, const char* name) {
    const std::uint64_t value = unsigned_number(text, name);
    if (value > UINT64_MAX / nanos_per_second) {
      throw BadParameter{std::string(name) + " is out of range"};
    }
    return value * nanos_per_second;
  };
  if (const auto* value = single(params, "start"); value != nullptr && !value->empty()) {
    query.start_after_unix_nano = seconds(*value, "start");
  }
  if (const auto* value = single(params, "end"); value != nullptr && !value->empty()) {
    query.start_before_unix_nano = seconds(*value, "end");
  }
  if (const auto* value = single(params, "limit"); value != nullptr && !value->empty()) {
    const std::uint64_t limit = unsigned_number(*value, "limit");
    query.limit = std::clamp<std::uint64_t>(limit == 0 ? 20 : limit, 1, max_search_limit);
  }
  return query;
}

// A tag value as Tempo's v2 types it.
json typed_value(const std::string& text) {
  std::string type = "string";
  if (text == "true" || text == "false") {
    type = "bool";
  } else if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos &&
             text.find('-', 1) == std::string::npos && text != "-") {
    type = "int";
  } else if (!text.empty() && text.find_first_not_of("-0123456789.eE+") == std::string::npos &&
             std::isdigit(static_cast<unsigned char>(text.back())) != 0) {
    type = "float";
  }
  return {{"type", type}, {"value", text}};
}

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_logfmt_tags(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> tags;
  std::size_t at = 0;
  const auto skip_spaces = [&] {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t')) ++at;
  };
  for (skip_spaces(); at < text.size(); skip_spaces()) {
    const std::size_t key_start = at;
    while (at < text.size() && text[at] != '=' && text[at] != ' ' && text[at] != '"') ++at;
    const std::string key(text.substr(key_start, at - key_start));
    if (key.empty() || at >= text.size() || text[at] != '=') {
      throw BadParameter{"tags: expected key=value (logfmt), at '" +
                         std::string(text.substr(key_start, 40)) + "'"};
    }
    ++at;
    std::string value;
    if (at < text.size() && text[at] == '"') {
      ++at;
      bool closed = false;
      while (at < text.size()) {
        const char c = text[at++];
        if (c == '\\' && at < text.size()) {
          value += text[at++];
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          value += c;
        }
      }
      if (!closed) throw BadParameter{"tags: unterminated quoted value of " + key};
    } else {
      while (at < text.size() && text[at] != ' ' && text[at] != '\t') value += text[at++];
    }
    tags.emplace_back(key, std::move(value));
  }
  return tags;
}

QueryAnswer tempo_trace(std::string_view trace_id_hex, std::string_view accept,
                        TempoVersion version, const SpanStore& store) {
  const auto trace_id = padded_trace_id(trace_id_hex);
  if (!trace_id) return tempo_error(400, "a trace id is up to 32 hex digits, not all zero");
  const auto stored = store.trace(*trace_id);
  if (!stored) return tempo_error(500, std::string(stored.error().text()));
  if (!stored->has_value()) return tempo_error(404, "trace not found");
  const std::vector<model::SpanRecord>& spans = (*stored)->spans;
  if (wants_protobuf(accept)) {
    const std::string trace = otlp_trace_protobuf(spans);
    return {200, version == TempoVersion::v1 ? trace : field_one(trace), "application/protobuf"};
  }
  if (version == TempoVersion::v1) return {200, otlp_trace_json(spans, "batches")};
  return {200, "{\"trace\":" + otlp_trace_json(spans, "resourceSpans") + "}"};
}

QueryAnswer tempo_search(const QueryParams& params, const SpanStore& store) {
  TraceQuery query;
  try {
    query = tempo_query(params);
  } catch (const BadParameter& bad) {
    return tempo_error(400, bad.message);
  }
  const auto found = search_traces(store, query);
  if (!found) return tempo_error(500, std::string(found.error().text()));
  json traces = json::array();
  for (const TraceSummary& summary : *found) {
    json trace = {{"traceID", summary.trace_id.to_hex()},
                  {"startTimeUnixNano", std::to_string(summary.start_unix_nano)},
                  {"durationMs", summary.end_unix_nano > summary.start_unix_nano
                                     ? (summary.end_unix_nano - summary.start_unix_nano) / 1'000'000
                                     : 0}};
    // Without a root span Tempo leaves both out (Grafana says the root is not received yet).
    if (!summary.root_service.empty()) {
      trace["rootServiceName"] = summary.root_service;
      trace["rootTraceName"] = summary.root_name;
    }
    traces.push_back(std::move(trace));
  }
  const json out = {{"traces", std::move(traces)},
                    {"metrics", {{"inspectedTraces", found->size()}}}};
  return {200, out.dump()};
}

QueryAnswer tempo_search_tags(TempoVersion version, const SpanStore& store) {
  const auto keys = recent_attribute_keys(store, tempo_tag_sample_spans);
  if (!keys) return tempo_error(500, std::string(keys.error().text()));
  if (version == TempoVersion::v1) {
    std::set<std::string> names(keys->span.begin(), keys->span.end());
    names.insert(keys->resource.begin(), keys->resource.end());
    names.insert({"service.name", "name"});
    return {200, json({{"tagNames", names}}).dump()};
  }
  std::vector<std::string> resource = keys->resource;
  if (std::find(resource.begin(), resource.end(), "service.name") == resource.end()) {
    resource.emplace_back("service.name");
    std::sort(resource.begin(), resource.end());
  }
  const json scopes = json::array({{{"name", "resource"}, {"tags", resource}},
                                   {{"name", "span"}, {"tags", keys->span}},
                                   {{"name", "intrinsic"}, {"tags", {"name"}}}});
  return {200, json({{"scopes", scopes}}).dump()};
}

QueryAnswer tempo_tag_values(std::string_view tag, TempoVersion version, const SpanStore& store) {
  std::string key(tag);
  for (const char* scope : {"resource.", "span.", "."}) {
    const std::string prefix(scope);
    if (key.rfind(prefix, 0) == 0 && key != "service.name") {
      key.erase(0, prefix.size());
      break;
    }
  }
  std::set<std::string> values;
  const auto found =
      key == "service.name" ? list_services(store)
      : key == "name"       ? list_operation_names(store)
                      : recent_attribute_values(store, key, tempo_tag_sample_spans, max_tag_values);
  if (!found) return tempo_error(500, std::string(found.error().text()));
  values.insert(found->begin(), found->end());
  if (version == TempoVersion::v1) return {200, json({{"tagValues", values}}).dump()};
  json typed = json::array();
  for (const std::string& value : values) typed.push_back(typed_value(value));
  return {200, json({{"tagValues", std::move(typed)}}).dump()};
}

}  // namespace tracemesh::collector
