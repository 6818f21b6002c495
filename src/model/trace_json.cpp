#include "model/trace_json.h"

#include "model/json_text.h"

namespace tracemesh::model {
namespace {

template <typename Id>
void append_id(std::string& out, const Id& id) {
  out += '"';
  out += id.to_hex();
  out += '"';
}

}  // namespace

void append_span_json(std::string& out, const SpanRecord& span) {
  out += '{';
  append_json_key(out, "trace_id");
  append_id(out, span.trace_id);
  out += ',';
  append_json_key(out, "span_id");
  append_id(out, span.span_id);
  out += ',';
  append_json_key(out, "parent_span_id");
  if (span.is_root()) {
    out += "null";
  } else {
    append_id(out, span.parent_span_id);
  }
  out += ',';
  append_json_key(out, "service");
  append_json_string(out, span.service);
  out += ',';
  append_json_key(out, "name");
  append_json_string(out, span.name);
  out += ',';
  append_json_key(out, "kind");
  append_json_string(out, to_string(span.kind));
  out += ',';
  append_json_key(out, "start_unix_nano");
  append_json_number(out, span.start_unix_nano);
  out += ',';
  append_json_key(out, "end_unix_nano");
  append_json_number(out, span.end_unix_nano);
  out += ',';
  append_json_key(out, "status");
  out += "{\"code\":";
  append_json_string(out, to_string(span.status_code));
  out += ",\"message\":";
  append_json_string(out, span.status_message);
  out += "},";
  append_json_key(out, "attributes");
  out += span.attributes_json;
  out += ',';
  append_json_key(out, "events");
  out += span.events_json;
  out += ',';
  append_json_key(out, "links");
  out += span.links_json;
  out += ',';
  append_json_key(out, "resource");
  out += span.resource_json ? *span.resource_json : std::string("{}");
  out += ',';
  append_json_key(out, "scope");
  append_json_string(out, span.scope_name);
  out += '}';
}

void append_log_json(std::string& out, const LogRecord& record) {
  out += '{';
  append_json_key(out, "time_unix_nano");
  append_json_number(out, record.time_unix_nano);
  out += ',';
  append_json_key(out, "service");
  append_json_string(out, record.service);
  out += ',';
  append_json_key(out, "severity");
  append_json_string(out, record.severity);
  out += ',';
  append_json_key(out, "body");
  append_json_string(out, record.body);
  out += ',';
  append_json_key(out, "span_id");
  if (record.span_id.is_valid()) {
    append_id(out, record.span_id);
  } else {
    out += "null";
  }
  out += ',';
  append_json_key(out, "attributes");
  out += record.attributes.empty() ? "{}" : record.attributes;
  out += ',';
  append_json_key(out, "logged_id");
  append_json_string(out, record.logged_id);
  out += '}';
}

std::string verdict_json(const TraceVerdict& verdict) {
  std::string out = "{";
  append_json_key(out, "state");
  append_json_string(out, to_string(verdict.state));
  out += ',';
  append_json_key(out, "integrity");
  append_json_string(out, verdict.integrity());
  out += ',';
  append_json_key(out, "span_count");
  append_json_number(out, static_cast<std::uint64_t>(verdict.span_count));
  out += ',';
  append_json_key(out, "roots");
  append_json_array(out, verdict.roots, [&](const SpanId& id) { append_id(out, id); });
  out += ',';
  append_json_key(out, "orphans");
  append_json_array(out, verdict.orphans, [&](const Orphan& orphan) {
    out += "{\"span_id\":";
    append_id(out, orphan.span_id);
    out += ",\"missing_parent_id\":";
    append_id(out, orphan.missing_parent_id);
    out += ",\"service\":";
    append_json_string(out, orphan.service);
    out += '}';
  });
  out += ',';
  append_json_key(out, "missing_parents");
  append_json_number(out, static_cast<std::uint64_t>(verdict.missing_parents));
  out += ',';
  append_json_key(out, "clock_skew");
  append_json_array(out, verdict.skew, [&](const ClockSkew& skew) {
    out += "{\"span_id\":";
    append_id(out, skew.span_id);
    out += ",\"parent_id\":";
    append_id(out, skew.parent_id);
    out += ",\"service\":";
    append_json_string(out, skew.service);
    out += ",\"parent_service\":";
    append_json_string(out, skew.parent_service);
    out += ",\"starts_early_nanos\":";
    append_json_number(out, skew.starts_early_nanos);
    out += ",\"ends_late_nanos\":";
    append_json_number(out, skew.ends_late_nanos);
    out += '}';
  });
  out += ',';
  append_json_key(out, "unfinished");
  append_json_array(out, verdict.unfinished, [&](const SpanId& id) { append_id(out, id); });
  out += ',';
  const auto append_hop = [&](const BrokenHop& hop) {
    out += "{\"caller_span_id\":";
    append_id(out, hop.caller_span_id);
    out += ",\"caller_service\":";
    append_json_string(out, hop.caller_service);
    out += ",\"caller_span_name\":";
    append_json_string(out, hop.caller_span_name);
    out += ",\"callee_trace_id\":";
    append_id(out, hop.callee_trace_id);
    out += ",\"callee_span_id\":";
    append_id(out, hop.callee_span_id);
    out += ",\"callee_service\":";
    append_json_string(out, hop.callee_service);
    out += ",\"callee_span_name\":";
    append_json_string(out, hop.callee_span_name);
    out += ",\"protocol\":";
    append_json_string(out, hop.protocol);
    out += ",\"culprit\":";
    append_json_string(out, to_string(hop.culprit));
    out += '}';
  };
  append_json_key(out, "broken_hops");
  append_json_array(out, verdict.broken_hops, append_hop);
  out += ',';
  append_json_key(out, "restarted_hops");
  append_json_array(out, verdict.restarted_hops, append_hop);
  out += ',';
  append_json_key(out, "unsampled_calls");
  append_json_array(out, verdict.unsampled_calls, [&](const SpanId& id) { append_id(out, id); });
  out += '}';
  return out;
}

}  // namespace tracemesh::model
