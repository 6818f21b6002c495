#include "model/broken_hops.h"

#include <algorithm>
#include <cstdint>
#include <unordered_set>

namespace tracemesh::model {
namespace {

bool is_outbound(SpanKind kind) {
  return kind == SpanKind::client || kind == SpanKind::producer;
}
bool is_inbound(SpanKind kind) {
  return kind == SpanKind::server || kind == SpanKind::consumer;
}

}  // namespace

std::vector<const SpanRecord*> unanswered_calls(std::span<const SpanRecord> trace) {
  std::unordered_set<SpanId, IdHash> answered;
  for (const SpanRecord& span : trace) {
    if (is_inbound(span.kind) && !span.is_root()) answered.insert(span.parent_span_id);
  }
  std::vector<const SpanRecord*> calls;
  for (const SpanRecord& span : trace) {
    if (is_outbound(span.kind) && !answered.contains(span.span_id)) {
      calls.push_back(&span);
    }
  }
  return calls;
}

CallWindow call_window(const SpanRecord& call, std::uint64_t tolerance,
                       std::uint64_t messaging_delay) {
  CallWindow window;
  window.earliest = call.start_unix_nano > tolerance ? call.start_unix_nano - tolerance : 0;
  const std::uint64_t end =
      call.end_unix_nano >= call.start_unix_nano ? call.end_unix_nano : call.start_unix_nano;
  const std::uint64_t after =
      tolerance + (call.kind == SpanKind::producer ? messaging_delay : 0);  // configured: small
  window.latest = end > UINT64_MAX - after ? UINT64_MAX : end + after;      // saturates
  return window;
}

bool is_callee_of(const SpanRecord& call, const SpanRecord& root) {
  if (!root.is_root() || root.trace_id == call.trace_id || root.service == call.service)
    return false;
  const Destination& sent = call.destination;
  const Destination& received = root.destination;
  if (call.kind == SpanKind::producer) {
    if (root.kind != SpanKind::consumer || sent.messaging_destination.empty()) return false;
    if (!sent.messaging_system.empty() && !received.messaging_system.empty() &&
        sent.messaging_system != received.messaging_system) {
      return false;
    }
    return sent.messaging_destination == received.messaging_destination;
  }
  if (root.kind != SpanKind::server || sent.path.empty() || sent.path != received.path)
    return false;
  if (sent.port != 0 && received.port != 0 && sent.port != received.port) return false;
  return sent.address.empty() || received.address.empty() || sent.address == received.address;
}

Culprit likely_culprit(const SpanRecord& callee_root) {
  const InboundPropagation& inbound = callee_root.propagation;
  if (!inbound.error.empty() || inbound.format == "none") return Culprit::caller_did_not_inject;
  if (!inbound.format.empty()) return Culprit::callee_did_not_extract;
  return Culprit::unknown;
}

BrokenHop make_broken_hop(const SpanRecord& call, const SpanRecord& callee_root) {
  BrokenHop hop;
  hop.caller_span_id = call.span_id;
  hop.caller_service = call.service;
  hop.caller_span_name = call.name;
  hop.callee_trace_id = callee_root.trace_id;
  hop.callee_span_id = callee_root.span_id;
  hop.callee_service = callee_root.service;
  hop.callee_span_name = callee_root.name;
  hop.protocol = callee_root.kind == SpanKind::server ? "http"
                 : callee_root.destination.messaging_system.empty()
                     ? "messaging"
                     : callee_root.destination.messaging_system;
  hop.call_start_unix_nano = call.start_unix_nano;
  hop.culprit = likely_culprit(callee_root);
  return hop;
}

void judge_unanswered_call(const SpanRecord& call, std::span<const SpanRecord* const> candidates,
                           const IntegrityOptions& options, std::vector<SpanId>& claimed,
                           TraceVerdict& verdict) {
  for (const SpanRecord* root : candidates) {
    if (root->is_root() && root->trace_id != call.trace_id && root->service != call.service &&
        root->links_to(LinkRef{call.trace_id, call.span_id})) {
      BrokenHop hop = make_broken_hop(call, *root);
      hop.culprit = Culprit::unknown;  // nobody lost anything
      verdict.restarted_hops.push_back(std::move(hop));
      return;
    }
  }
  const CallWindow window =
      call_window(call, options.call_tolerance_nanos, options.messaging_delay_nanos);
  for (const SpanRecord* root : candidates) {
    if (root->start_unix_nano < window.earliest || root->start_unix_nano > window.latest ||
        !is_callee_of(call, *root) ||
        std::find(claimed.begin(), claimed.end(), root->span_id) != claimed.end()) {
      continue;
    }
    claimed.push_back(root->span_id);
    verdict.broken_hops.push_back(make_broken_hop(call, *root));
    return;
  }
  if (call.known_unsampled()) verdict.unsampled_calls.push_back(call.span_id);
}

void add_broken_hops(std::span<const SpanRecord> trace, std::span<const SpanRecord* const> roots,
                     const IntegrityOptions& options, TraceVerdict& verdict) {
  std::vector<SpanId> claimed;
  for (const SpanRecord* call : unanswered_calls(trace))
    judge_unanswered_call(*call, roots, options, claimed, verdict);
}

}  // namespace tracemesh::model
