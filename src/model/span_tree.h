// The parent-child structure of one trace's spans, by index into its span
// list: a span is a child of the first span carrying its parent's id (never
// of itself); a root, or a span whose parent did not arrive, heads the tree.
// A parent cycle (malformed input) is kept as it is: whoever walks the tree
// guards against it.
#pragma once

#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include "model/span_record.h"

namespace tracemesh::model {

struct SpanTree {
  static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> parent;                 // none for a head
  std::vector<std::vector<std::size_t>> children;  // in span order
  std::vector<std::size_t> heads;                  // in span order
};

SpanTree span_tree(std::span<const SpanRecord> spans);

}  // namespace tracemesh::model
