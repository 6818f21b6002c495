#include "audit/python/syntax_tree.h"

#include <algorithm>

#include "audit/python/grammar.h"
#include "audit/python/parser.h"

namespace tracemesh::audit {
namespace {

// Sources up to this size are parsed in a ParseArena (tree-sitter takes up
// to 100 times the source's size while parsing).
constexpr std::size_t max_arena_source_bytes = ParseArena::default_max_bytes / 100;

}  // namespace

FileParse::FileParse(std::string_view source) {
  ParseArena::install();
  if (source.size() <= max_arena_source_bytes && !ParseArena::open_on_this_thread()) {
    arena_.emplace();
  }
  parser_ = ts_parser_new();
  ts_parser_set_language(parser_, python_grammar().language);
  ts_parser_set_timeout_micros(parser_, timeout_micros);
  tree_ = ts_parser_parse_string(parser_, nullptr, source.data(),
                                 static_cast<std::uint32_t>(source.size()));
}

FileParse::~FileParse() {
  if (tree_ != nullptr && !(arena_ && arena_->holds_everything())) ts_tree_delete(tree_);
  ts_parser_delete(parser_);
}

std::string_view node_text(std::string_view source, TSNode node) {
  if (ts_node_is_null(node)) return {};
  const std::uint32_t start = ts_node_start_byte(node);
  const std::uint32_t end = ts_node_end_byte(node);
  if (start > source.size() || end < start) return {};
  return source.substr(start, std::min<std::size_t>(end, source.size()) - start);
}

std::string flat_text(std::string_view source, TSNode node) {
  const std::string_view text = node_text(source, node);
  std::string out;
  out.reserve(std::min(text.size(), max_expression_text));
  bool space = false;
  for (const char c : text) {
    if (out.size() >= max_expression_text) break;
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space && c != '.' && c != ')' && c != ']' && out.back() != '.' && out.back() != '(' &&
        out.back() != '[') {
      out += ' ';
    }
    space = false;
    out += c;
  }
  return out;
}

}  // namespace tracemesh::audit
