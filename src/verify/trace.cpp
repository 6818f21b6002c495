#include "verify/trace.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace tracemesh::verify {
namespace {

using nlohmann::json;

std::string text(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return {};
  return found->get<std::string>();
}

// Timestamps and durations: non-negative integers (a float or a negative
// number is malformed input, not something to wrap or truncate).
std::uint64_t number(const json& object, const char* key) {
  const auto found = object.find(key);
  if (found == object.end() || found->is_null()) return 0;
  if (!found->is_number_unsigned()) {
    throw std::invalid_argument(std::string(key) + " must be a non-negative integer, not " +
                                found->dump());
  }
  return found->get<std::uint64_t>();
}

Span parse_span(const json& object) {
  Span span;
  span.span_id = object.at("span_id").get<std::string>();
  span.parent_span_id = text(object, "parent_span_id");
  span.service = text(object, "service");
  span.name = text(object, "name");
  span.kind = text(object, "kind");
  span.start_unix_nano = number(object, "start_unix_nano");
  span.end_unix_nano = number(object, "end_unix_nano");
  if (const auto status = object.find("status"); status != object.end() && status->is_object()) {
    span.status_code = text(*status, "code");
    span.status_message = text(*status, "message");
  }
  if (const auto attributes = object.find("attributes");
      attributes != object.end() && attributes->is_object()) {
    span.attributes = *attributes;
  }
  return span;
}

std::vector<std::string> id_list(const json& verdict, const char* key) {
  std::vector<std::string> ids;
  if (const auto found = verdict.find(key); found != verdict.end()) {
    for (const json& id : *found) ids.push_back(id.get<std::string>());
  }
  return ids;
}

template <typename Finding, typename Read>
std::vector<Finding> findings(const json& verdict, const char* key, Read read) {
  std::vector<Finding> out;
  if (const auto found = verdict.find(key); found != verdict.end()) {
    for (const json& item : *found) out.push_back(read(item));
  }
  return out;
}

Expected<Trace> parse_trace_object(const json& api_json) {
  try {
    Trace trace;
    trace.trace_id = api_json.at("trace_id").get<std::string>();
    for (const json& span : api_json.at("spans")) trace.spans.push_back(parse_span(span));
    const json& verdict = api_json.at("verdict");
    trace.settled = text(verdict, "state") == "settled";
    trace.roots = id_list(verdict, "roots");
    trace.unfinished = id_list(verdict, "unfinished");
    trace.orphans = findings<Orphan>(verdict, "orphans", [](const json& item) {
      return Orphan{text(item, "span_id"), text(item, "missing_parent_id"), text(item, "service")};
    });
    trace.skew = findings<ClockSkew>(verdict, "clock_skew", [](const json& item) {
      return ClockSkew{text(item, "span_id"),
                       text(item, "parent_id"),
                       text(item, "service"),
                       text(item, "parent_service"),
                       number(item, "starts_early_nanos"),
                       number(item, "ends_late_nanos")};
    });
    trace.broken_hops = findings<BrokenHop>(verdict, "broken_hops", [](const json& item) {
      return BrokenHop{text(item, "caller_span_id"),   text(item, "caller_service"),
                       text(item, "caller_span_name"), text(item, "callee_trace_id"),
                       text(item, "callee_span_id"),   text(item, "callee_service"),
                       text(item, "callee_span_name"), text(item, "protocol"),
                       text(item, "culprit")};
    });
    std::stable_sort(trace.spans.begin(), trace.spans.end(), [](const Span& a, const Span& b) {
      return a.start_unix_nano < b.start_unix_nano;
    });
    return trace;
  } catch (const json::exception& error) {
    return Error{ErrorCode::invalid_input,
                 std::string("the trace JSON is not in the query API's shape: ") + error.what()};
  } catch (const std::invalid_argument& error) {
    return Error{ErrorCode::invalid_input,
                 std::string("the trace JSON is not in the query API's shape: ") + error.what()};
  }
}

}  // namespace

const Span* Trace::find(std::string_view span_id) const noexcept {
  if (index_.size() != spans.size()) {
    index_.clear();
    for (std::size_t i = 0; i < spans.size(); ++i) index_.emplace(spans[i].span_id, i);
  }
  const auto found = index_.find(std::string(span_id));
  return found == index_.end() || found->second >= spans.size() ||
                 spans[found->second].span_id != span_id
             ? nullptr
             : &spans[found->second];
}

const Span* Trace::root() const noexcept {
  for (const std::string& id : roots) {
    if (const Span* span = find(id)) return span;
  }
  return nullptr;
}

std::uint64_t Trace::duration_nanos() const noexcept {
  if (spans.empty()) return 0;
  std::uint64_t first = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t last = 0;
  for (const Span& span : spans) {
    first = std::min(first, span.start_unix_nano);
    last = std::max({last, span.end_unix_nano, span.start_unix_nano});
  }
  return last - first;
}

Expected<Trace> parse_trace(std::string_view api_json) {
  json parsed = json::parse(api_json, nullptr, false);
  if (parsed.is_discarded()) {
    return Error{ErrorCode::invalid_input, "the trace is not valid JSON"};
  }
  return parse_trace_object(parsed);
}

}  // namespace tracemesh::verify
