// The span tree the query API, verify's text report and its path checks
// share: heads in span order, children under the first span of their
// parent's id, never a span under itself.
#include "model/span_tree.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace tracemesh::model {
namespace {

SpanRecord span(std::uint64_t id, std::uint64_t parent) {
  SpanRecord record;
  record.trace_id = TraceId::from_halves(1, 1);
  record.span_id = SpanId::from_uint64(id);
  if (parent != 0) record.parent_span_id = SpanId::from_uint64(parent);
  return record;
}

TEST(SpanTree, HangsEachSpanUnderItsParentAndHeadsTheRest) {
  const std::vector<SpanRecord> spans{
      span(1, 0),  // 0: a root
      span(2, 1),  // 1: under 0
      span(3, 9),  // 2: its parent never arrived: a head
      span(4, 1),  // 3: under 0, after 1
      span(5, 5),  // 4: its own parent: a head
      span(1, 3),  // 5: a second span with id 1: under 2; children of id 1 go to the first
      span(6, 4),  // 6: under 3
  };
  const SpanTree tree = span_tree(spans);
  EXPECT_EQ(tree.heads, (std::vector<std::size_t>{0, 2, 4}));
  EXPECT_EQ(tree.children[0], (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(tree.children[2], (std::vector<std::size_t>{5}));
  EXPECT_EQ(tree.children[3], (std::vector<std::size_t>{6}));
  EXPECT_TRUE(tree.children[4].empty());
  EXPECT_EQ(tree.parent[6], 3U);
  EXPECT_EQ(tree.parent[0], SpanTree::none);
  EXPECT_EQ(tree.parent[4], SpanTree::none);
}

TEST(SpanTree, KeepsAParentCycleForTheWalkerToCut) {
  const std::vector<SpanRecord> spans{span(1, 2), span(2, 1)};
  const SpanTree tree = span_tree(spans);
  EXPECT_TRUE(tree.heads.empty());
  EXPECT_EQ(tree.parent[0], 1U);
  EXPECT_EQ(tree.parent[1], 0U);
}

}  // namespace
}  // namespace tracemesh::model
