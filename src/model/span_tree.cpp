#include "model/span_tree.h"

#include <unordered_map>

namespace tracemesh::model {

SpanTree span_tree(std::span<const SpanRecord> spans) {
  std::unordered_map<SpanId, std::size_t, IdHash> index_of;
  for (std::size_t i = 0; i < spans.size(); ++i) index_of.emplace(spans[i].span_id, i);
  SpanTree tree;
  tree.parent.assign(spans.size(), SpanTree::none);
  tree.children.resize(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    const auto found = spans[i].is_root() ? index_of.end() : index_of.find(spans[i].parent_span_id);
    if (found == index_of.end() || found->second == i) {
      tree.heads.push_back(i);
    } else {
      tree.parent[i] = found->second;
      tree.children[found->second].push_back(i);
    }
  }
  return tree;
}

}  // namespace tracemesh::model
