#include "model/trace.h"

#include <algorithm>
#include <limits>

namespace tracemesh::model {

const SpanRecord* Trace::find(const SpanId& span_id) const {
  if (index_.size() != spans.size()) {
    index_.clear();
    for (std::size_t i = 0; i < spans.size(); ++i) index_.emplace(spans[i].span_id, i);
  }
  const auto found = index_.find(span_id);
  return found == index_.end() || found->second >= spans.size() ||
                 spans[found->second].span_id != span_id
             ? nullptr
             : &spans[found->second];
}

const SpanRecord* Trace::root() const {
  for (const SpanId& id : verdict.roots) {
    if (const SpanRecord* span = find(id)) return span;
  }
  return nullptr;
}

std::uint64_t Trace::duration_nanos() const noexcept {
  if (spans.empty()) return 0;
  std::uint64_t first = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t last = 0;
  for (const SpanRecord& span : spans) {
    first = std::min(first, span.start_unix_nano);
    last = std::max({last, span.end_unix_nano, span.start_unix_nano});
  }
  return last - first;
}

}  // namespace tracemesh::model
