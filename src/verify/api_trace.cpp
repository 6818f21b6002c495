#include "verify/api_trace.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

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

// An id written as hex; null or absent is the all-zero id (a root's parent).
template <typename Id>
Id id_field(const json& object, const char* key) {
  const std::string hex = text(object, key);
  if (hex.empty()) return Id{};
  const auto id = Id::from_hex(hex);
  if (!id) {
    throw std::invalid_argument(std::string(key) + " must be an id in hex, not '" + hex + "'");
  }
  return *id;
}

model::SpanRecord read_span(const json& object, const TraceId& trace_id) {
  model::SpanRecord span;
  span.trace_id = trace_id;
  span.span_id = id_field<SpanId>(object, "span_id");
  if (!span.span_id.is_valid()) throw std::invalid_argument("a span has no span_id");
  span.parent_span_id = id_field<SpanId>(object, "parent_span_id");
  span.service = text(object, "service");
  span.name = text(object, "name");
  // A name this version does not know reads as the enum's "nothing said".
  span.kind = model::span_kind_named(text(object, "kind")).value_or(model::SpanKind::unspecified);
  span.start_unix_nano = number(object, "start_unix_nano");
  span.end_unix_nano = number(object, "end_unix_nano");
  if (const auto status = object.find("status"); status != object.end() && status->is_object()) {
    span.status_code =
        model::status_code_named(text(*status, "code")).value_or(model::StatusCode::unset);
    span.status_message = text(*status, "message");
  }
  if (const auto attributes = object.find("attributes");
      attributes != object.end() && attributes->is_object()) {
    span.attributes_json = attributes->dump();
  }
  return span;
}

std::vector<SpanId> id_list(const json& verdict, const char* key) {
  std::vector<SpanId> ids;
  if (const auto found = verdict.find(key); found != verdict.end()) {
    for (const json& id : *found) {
      const auto parsed = SpanId::from_hex(id.get<std::string>());
      if (!parsed) throw std::invalid_argument(std::string(key) + " must hold span ids in hex");
      ids.push_back(*parsed);
    }
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

model::TraceVerdict read_verdict(const json& verdict) {
  model::TraceVerdict out;
  out.state = text(verdict, "state") == "settled" ? model::TraceState::settled
                                                  : model::TraceState::arriving;
  out.span_count = number(verdict, "span_count");
  out.missing_parents = number(verdict, "missing_parents");
  out.roots = id_list(verdict, "roots");
  out.unfinished = id_list(verdict, "unfinished");
  out.orphans = findings<model::Orphan>(verdict, "orphans", [](const json& item) {
    return model::Orphan{id_field<SpanId>(item, "span_id"),
                         id_field<SpanId>(item, "missing_parent_id"), text(item, "service")};
  });
  out.skew = findings<model::ClockSkew>(verdict, "clock_skew", [](const json& item) {
    return model::ClockSkew{id_field<SpanId>(item, "span_id"),
                            id_field<SpanId>(item, "parent_id"),
                            text(item, "service"),
                            text(item, "parent_service"),
                            number(item, "starts_early_nanos"),
                            number(item, "ends_late_nanos")};
  });
  const auto read_hop = [](const json& item) {
    model::BrokenHop hop;
    hop.caller_span_id = id_field<SpanId>(item, "caller_span_id");
    hop.caller_service = text(item, "caller_service");
    hop.caller_span_name = text(item, "caller_span_name");
    hop.callee_trace_id = id_field<TraceId>(item, "callee_trace_id");
    hop.callee_span_id = id_field<SpanId>(item, "callee_span_id");
    hop.callee_service = text(item, "callee_service");
    hop.callee_span_name = text(item, "callee_span_name");
    hop.protocol = text(item, "protocol");
    hop.culprit = model::culprit_named(text(item, "culprit")).value_or(model::Culprit::unknown);
    return hop;
  };
  out.broken_hops = findings<model::BrokenHop>(verdict, "broken_hops", read_hop);
  // Absent from collectors before restarted hops and unsampled calls: none.
  out.restarted_hops = findings<model::BrokenHop>(verdict, "restarted_hops", read_hop);
  out.unsampled_calls = id_list(verdict, "unsampled_calls");
  return out;
}

model::LogRecord read_log(const json& log, const TraceId& trace_id) {
  model::LogRecord record;
  record.trace_id = trace_id;
  record.time_unix_nano = log.at("time_unix_nano").get<std::uint64_t>();
  record.service = log.at("service").get<std::string>();
  record.severity = log.value("severity", "");
  record.body = log.value("body", "");
  record.logged_id = log.value("logged_id", "");
  if (const auto span = log.find("span_id"); span != log.end() && span->is_string()) {
    record.span_id = id_field<SpanId>(log, "span_id");
  }
  return record;
}

}  // namespace

Expected<model::Trace> read_api_trace(std::string_view api_json) {
  const json parsed = json::parse(api_json, nullptr, false);
  if (parsed.is_discarded()) return Error{ErrorCode::invalid_input, "the trace is not valid JSON"};
  try {
    model::Trace trace;
    trace.trace_id = id_field<TraceId>(parsed, "trace_id");
    if (!trace.trace_id.is_valid()) throw std::invalid_argument("the answer has no trace_id");
    for (const json& span : parsed.at("spans")) {
      trace.spans.push_back(read_span(span, trace.trace_id));
    }
    trace.verdict = read_verdict(parsed.at("verdict"));
    // Absent from collectors before log intake: none.
    if (const auto logs = parsed.find("logs"); logs != parsed.end()) {
      for (const json& log : *logs) trace.logs.push_back(read_log(log, trace.trace_id));
    }
    std::stable_sort(trace.spans.begin(), trace.spans.end(),
                     [](const model::SpanRecord& a, const model::SpanRecord& b) {
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

}  // namespace tracemesh::verify
