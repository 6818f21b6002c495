#include "verify/path_check.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "model/ascii.h"
#include "model/span_tree.h"
#include "verify/builtin_checks.h"
#include "verify/span_attributes.h"

namespace tracemesh::verify {
namespace {

constexpr std::size_t none = static_cast<std::size_t>(-1);

struct Segment {
  std::string service;
  std::size_t head = 0;  // span index
  std::size_t parent = none;
  std::vector<std::size_t> children;
  std::string protocol;  // of the hop into this segment
};

bool is_call(const model::SpanRecord& span) {
  return span.kind == model::SpanKind::client || span.kind == model::SpanKind::producer;
}
bool is_answer(const model::SpanRecord& span) {
  return span.kind == model::SpanKind::server || span.kind == model::SpanKind::consumer;
}

bool starts_segment(const model::SpanRecord& span, const model::SpanRecord& parent) {
  return parent.service != span.service || (is_answer(span) && is_call(parent));
}

std::string string_attribute(const model::SpanRecord& span, const char* key) {
  const nlohmann::json attributes = span_attributes(span);
  const auto found = attributes.find(key);
  return found != attributes.end() && found->is_string() ? found->get<std::string>() : "";
}

bool has_attribute(const model::SpanRecord& span, const char* key) {
  return span_attributes(span).contains(key);
}

class SegmentTree {
 public:
  explicit SegmentTree(const model::Trace& trace) : trace_(trace) {
    const auto& spans = trace.spans;
    const std::vector<std::size_t> parent_of = model::span_tree(spans).parent;
    // Each span joins its parent's segment unless it starts one; walked
    // without recursion, and a parent cycle (malformed input) ends a walk.
    segment_of_.assign(spans.size(), none);
    std::vector<bool> on_walk(spans.size(), false);
    for (std::size_t i = 0; i < spans.size(); ++i) {
      std::vector<std::size_t> walk;
      std::size_t at = i;
      std::size_t segment = none;
      while (true) {
        if (segment_of_[at] != none) {
          segment = segment_of_[at];
          break;
        }
        const bool cycle = on_walk[at];
        if (!cycle) {
          walk.push_back(at);
          on_walk[at] = true;
        }
        const std::size_t parent = parent_of[at];
        if (cycle || parent == none || starts_segment(spans[at], spans[parent])) {
          segment = segments_.size();
          segments_.push_back({spans[at].service, at, none, {}, {}});
          break;
        }
        at = parent;
      }
      for (const std::size_t member : walk) {
        segment_of_[member] = segment;
        on_walk[member] = false;
      }
    }
    for (std::size_t s = 0; s < segments_.size(); ++s) {
      const std::size_t parent = parent_of[segments_[s].head];
      if (parent == none || segment_of_[parent] == s) continue;
      segments_[s].parent = segment_of_[parent];
      segments_[s].protocol = hop_protocol(spans[parent], spans[segments_[s].head]);
    }
    cut_cycles();
    for (std::size_t s = 0; s < segments_.size(); ++s) {
      if (segments_[s].parent != none) segments_[segments_[s].parent].children.push_back(s);
    }
  }

  const std::vector<Segment>& segments() const { return segments_; }
  const model::SpanRecord& head(std::size_t segment) const {
    return trace_.spans[segments_[segment].head];
  }
  std::size_t segment_of(std::size_t span) const { return segment_of_[span]; }

 private:
  // Parent ids that loop (malformed input) would make a path go round
  // forever: cut each loop where the walk up first meets itself.
  void cut_cycles() {
    enum class Mark : std::uint8_t { unseen, on_walk, done };
    std::vector<Mark> marks(segments_.size(), Mark::unseen);
    for (std::size_t s = 0; s < segments_.size(); ++s) {
      std::vector<std::size_t> walk;
      std::size_t at = s;
      while (at != none && marks[at] == Mark::unseen) {
        marks[at] = Mark::on_walk;
        walk.push_back(at);
        const std::size_t parent = segments_[at].parent;
        if (parent != none && marks[parent] == Mark::on_walk) {
          segments_[at].parent = none;
          segments_[at].protocol.clear();
          break;
        }
        at = parent;
      }
      for (const std::size_t member : walk) marks[member] = Mark::done;
    }
  }

  const model::Trace& trace_;
  std::vector<Segment> segments_;
  std::vector<std::size_t> segment_of_;
};

// Matches a path over the segment tree by dynamic programming, linear in
// segments times path length (a search over every chain would be
// exponential on deep self-calling traces).
class PathMatcher {
 public:
  PathMatcher(const ServicePath& path, const SegmentTree& tree) : path_(path), tree_(tree) {
    const auto& segments = tree.segments();
    // Parents before children.
    for (std::size_t s = 0; s < segments.size(); ++s) {
      if (segments[s].parent == none) order_.push_back(s);
    }
    for (std::size_t i = 0; i < order_.size(); ++i) {
      const auto& children = segments[order_[i]].children;
      order_.insert(order_.end(), children.begin(), children.end());
    }
  }

  // Whether the path holds; chain() then holds one matching segment per service.
  bool match() {
    const std::size_t count = tree_.segments().size();
    const std::size_t services = path_.services.size();
    // holds[k][s]: the path from service k on holds starting at segment s;
    // below[k][s]: holds[k] at s or anywhere in its subtree.
    holds_.assign(services, std::vector<bool>(count, false));
    below_.assign(services, std::vector<bool>(count, false));
    for (std::size_t k = services; k-- > 0;) {
      for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
        const std::size_t s = *it;
        bool holds = tree_.segments()[s].service == path_.services[k];
        if (holds && k + 1 < services) holds = next_of(k, s) != none;
        holds_[k][s] = holds;
        bool any = holds;
        for (const std::size_t child : tree_.segments()[s].children) any = any || below_[k][child];
        below_[k][s] = any;
      }
    }
    chain_.clear();
    for (const std::size_t s : order_) {
      if (!holds_[0][s]) continue;
      chain_.push_back(s);
      for (std::size_t k = 0; k + 1 < services; ++k) chain_.push_back(next_of(k, chain_.back()));
      return true;
    }
    return false;
  }

  const std::vector<std::size_t>& chain() const { return chain_; }

  // How many services of the path some chain reaches (0: not even the first).
  std::size_t longest_prefix() const {
    const auto& segments = tree_.segments();
    std::vector<bool> reached(segments.size());
    std::vector<bool> above(segments.size());  // a proper ancestor reached the previous service
    std::size_t longest = 0;
    for (std::size_t k = 0; k < path_.services.size(); ++k) {
      std::vector<bool> next(segments.size(), false);
      bool any = false;
      for (const std::size_t s : order_) {
        const Segment& segment = segments[s];
        bool from_previous = k == 0;
        if (k > 0 && segment.parent != none) {
          const ServicePath::Hop& hop = path_.hops[k - 1];
          from_previous =
              hop.direct ? reached[segment.parent] && transport_matches(hop, segment) : above[s];
        }
        next[s] = from_previous && segment.service == path_.services[k];
        any = any || next[s];
      }
      if (!any) break;
      longest = k + 1;
      reached = std::move(next);
      for (const std::size_t s : order_) {
        const std::size_t parent = segments[s].parent;
        above[s] = parent != none && (reached[parent] || above[parent]);
      }
    }
    return longest;
  }

 private:
  static bool transport_matches(const ServicePath::Hop& hop, const Segment& segment) {
    return hop.transport.empty() || model::ascii_iequals(segment.protocol, hop.transport);
  }

  // A segment that continues the path from service k at `from`, or none.
  std::size_t next_of(std::size_t k, std::size_t from) const {
    const ServicePath::Hop& hop = path_.hops[k];
    for (const std::size_t child : tree_.segments()[from].children) {
      if (hop.direct) {
        if (holds_[k + 1][child] && transport_matches(hop, tree_.segments()[child])) return child;
        continue;
      }
      if (!below_[k + 1][child]) continue;
      // Somewhere in this subtree: walk down to a segment where it holds.
      std::size_t at = child;
      while (!holds_[k + 1][at]) {
        for (const std::size_t grandchild : tree_.segments()[at].children) {
          if (below_[k + 1][grandchild]) {
            at = grandchild;
            break;
          }
        }
      }
      return at;
    }
    return none;
  }

  const ServicePath& path_;
  const SegmentTree& tree_;
  std::vector<std::size_t> order_;
  std::vector<std::vector<bool>> holds_;
  std::vector<std::vector<bool>> below_;
  std::vector<std::size_t> chain_;
};

std::string path_text(const ServicePath& path, std::size_t services) {
  std::string text = path.services.front();
  for (std::size_t k = 0; k + 1 < services; ++k) {
    const ServicePath::Hop& hop = path.hops[k];
    text += hop.direct ? " -> " : " ~> ";
    if (!hop.transport.empty()) text += "(" + hop.transport + ") -> ";
    text += path.services[k + 1];
  }
  return text;
}

std::string service_list(const model::Trace& trace) {
  std::vector<std::string> services;
  for (const model::SpanRecord& span : trace.spans) {
    if (std::find(services.begin(), services.end(), span.service) == services.end()) {
      services.push_back(span.service);
    }
  }
  std::string text;
  for (const std::string& service : services) text += (text.empty() ? "" : ", ") + service;
  return text.empty() ? "none" : text;
}

// Why the hop from `from` to `to` is missing: the evidence the trace holds.
void explain_missing_hop(const model::Trace& trace, const SegmentTree& tree,
                         const std::string& from, const std::string& to,
                         const std::string& transport, Outcome& outcome) {
  bool explained = false;
  for (const model::BrokenHop& hop : trace.verdict.broken_hops) {
    if (hop.caller_service != from || hop.callee_service != to) continue;
    outcome.message += "; broken hop: " + broken_hop_sentence(trace, hop);
    outcome.spans.push_back(hop.caller_span_id.to_hex());
    explained = true;
  }
  for (std::size_t s = 0; s < tree.segments().size(); ++s) {
    const Segment& segment = tree.segments()[s];
    if (segment.service != to) continue;
    const model::SpanRecord& head = tree.head(s);
    outcome.spans.push_back(head.span_id.to_hex());
    explained = true;
    if (segment.parent != none) {
      const Segment& parent = tree.segments()[segment.parent];
      outcome.message += "; " + span_label(trace, head.span_id) + " is below " + parent.service;
      if (parent.service == from && !transport.empty()) {
        outcome.message += " through " +
                           (segment.protocol.empty() ? "an unknown transport" : segment.protocol) +
                           ", not " + transport;
      }
    } else if (head.is_root()) {
      outcome.message += "; " + span_label(trace, head.span_id) + " is a root of this trace";
    } else {
      outcome.message += "; " + span_label(trace, head.span_id) + " names parent " +
                         head.parent_span_id.to_hex() + ", which never arrived";
    }
  }
  if (explained) return;
  outcome.message += "; no span of " + to + " in this trace";
  // A callee that sends no spans may still log the id (the collector's log records).
  const auto logged = std::find_if(trace.logs.begin(), trace.logs.end(),
                                   [&](const model::LogRecord& log) { return log.service == to; });
  if (logged != trace.logs.end()) {
    const auto lines =
        std::count_if(trace.logs.begin(), trace.logs.end(),
                      [&](const model::LogRecord& log) { return log.service == to; });
    outcome.message += ", but " + to + " logged the trace id (" + std::to_string(lines) +
                       " line(s)): the context reached it, and it sends no spans (`verify --logs` "
                       "checks such hops)";
    return;
  }
  // The calls out of `from` that nothing answered are where the hop was lost.
  for (std::size_t i = 0; i < trace.spans.size(); ++i) {
    const model::SpanRecord& span = trace.spans[i];
    if (span.service != from || !is_call(span)) continue;
    const bool answered =
        std::any_of(tree.segments().begin(), tree.segments().end(), [&](const Segment& segment) {
          return segment.parent == tree.segment_of(i) &&
                 trace.spans[segment.head].parent_span_id == span.span_id;
        });
    if (answered) continue;
    outcome.message += "; " + span_label(trace, span.span_id) + " has no answering span";
    outcome.spans.push_back(span.span_id.to_hex());
  }
}

}  // namespace

std::string hop_protocol(const model::SpanRecord& parent, const model::SpanRecord& child) {
  if (auto system = string_attribute(parent, "messaging.system"); !system.empty()) return system;
  if (auto system = string_attribute(child, "messaging.system"); !system.empty()) return system;
  for (const model::SpanRecord* span : {&parent, &child}) {
    if (has_attribute(*span, "http.request.method") || has_attribute(*span, "http.method")) {
      return "http";
    }
  }
  if (auto system = string_attribute(parent, "rpc.system"); !system.empty()) return system;
  return string_attribute(child, "rpc.system");
}

Outcome check_path(const ServicePath& path, const model::Trace& trace) {
  const SegmentTree tree(trace);
  PathMatcher matcher(path, tree);
  Outcome outcome;
  if (matcher.match()) {
    const std::vector<std::size_t>& chain = matcher.chain();
    outcome.message = "held:";
    for (std::size_t k = 0; k < chain.size(); ++k) {
      outcome.message += (k > 0 ? " ->" : "") + std::string(" ") + tree.head(chain[k]).service +
                         " (span " + tree.head(chain[k]).span_id.to_hex() + ")";
    }
    return outcome;
  }
  outcome.passed = false;
  const std::size_t reached = matcher.longest_prefix();
  if (reached == 0) {
    outcome.message = "no span of " + path.services.front() +
                      " in this trace (its services: " + service_list(trace) + ")";
    return outcome;
  }
  const ServicePath::Hop& hop = path.hops[reached - 1];
  const std::string& from = path.services[reached - 1];
  const std::string& to = path.services[reached];
  if (reached > 1) outcome.message = "'" + path_text(path, reached) + "' holds, but ";
  outcome.message +=
      hop.direct ? from + " has no direct hop to " + to : to + " is not below " + from;
  if (!hop.transport.empty()) outcome.message += " through " + hop.transport;
  explain_missing_hop(trace, tree, from, to, hop.transport, outcome);
  return outcome;
}

}  // namespace tracemesh::verify
