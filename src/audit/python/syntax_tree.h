// A Python file's syntax tree as tree-sitter gives it, and the few node
// queries the parser makes, safe on the null nodes that error recovery and
// absent optional fields leave (tree-sitter 0.20 crashes on child queries
// of a null node).
#pragma once

#include <tree_sitter/api.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/python/parse_arena.h"

namespace tracemesh::audit {

// A parser made for one file, and its tree, in an arena of their own when
// the source is small enough and no arena is open on this thread already.
// With everything in the arena the tree is dropped with it; the parser is
// always deleted (its external scanner keeps state from plain malloc).
class FileParse {
 public:
  // Parsing longer than this gives no tree.
  static constexpr std::uint64_t timeout_micros = 10'000'000;

  explicit FileParse(std::string_view source);
  ~FileParse();  // then the arena closes: members go in reverse order
  FileParse(const FileParse&) = delete;
  FileParse& operator=(const FileParse&) = delete;

  // nullptr when parsing took longer than timeout_micros.
  const TSTree* tree() const { return tree_; }

 private:
  std::optional<ParseArena> arena_;  // first: it outlives the parser and tree
  TSParser* parser_ = nullptr;
  TSTree* tree_ = nullptr;
};

// The source text of `node` ("" for a null node or a range outside `source`).
std::string_view node_text(std::string_view source, TSNode node);

// The source text of `node` with line breaks and indentation folded to
// single spaces. Capped at max_expression_text bytes (parser.h): nested
// calls flatten their arguments again at every level, and the rules never
// need more.
std::string flat_text(std::string_view source, TSNode node);

inline std::uint32_t named_child_count(TSNode node) {
  return ts_node_is_null(node) ? 0 : ts_node_named_child_count(node);
}
inline TSNode child_by_field(TSNode node, TSFieldId id) {
  return ts_node_is_null(node) ? TSNode{} : ts_node_child_by_field_id(node, id);
}
inline bool has_symbol(TSNode node, TSSymbol symbol) {
  return !ts_node_is_null(node) && ts_node_symbol(node) == symbol;
}

}  // namespace tracemesh::audit
