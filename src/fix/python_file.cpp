#include "fix/python_file.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstring>
#include <utility>

#include "audit/python/syntax_tree.h"

namespace tracemesh::fix {
namespace {

using audit::flat_text;
using audit::node_text;

bool is(TSNode node, const char* type) {
  return !ts_node_is_null(node) && std::strcmp(ts_node_type(node), type) == 0;
}

TSNode field(TSNode node, const char* name) {
  if (ts_node_is_null(node)) return TSNode{};
  return ts_node_child_by_field_name(node, name, static_cast<std::uint32_t>(std::strlen(name)));
}

std::size_t line_begin(std::string_view text, std::size_t at) {
  const std::size_t newline = at == 0 ? std::string_view::npos : text.rfind('\n', at - 1);
  return newline == std::string_view::npos ? 0 : newline + 1;
}

std::size_t after_line_break(std::string_view text, std::size_t at) {
  const std::size_t newline = text.find('\n', at);
  return newline == std::string_view::npos ? text.size() : newline + 1;
}

// The named children of `node` that are not comments (with a cursor: a
// child by index is a linear walk in tree-sitter 0.20).
std::vector<TSNode> items(TSNode node) {
  std::vector<TSNode> found;
  if (ts_node_is_null(node)) return found;
  TSTreeCursor cursor = ts_tree_cursor_new(node);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      const TSNode child = ts_tree_cursor_current_node(&cursor);
      if (ts_node_is_named(child) && !is(child, "comment")) found.push_back(child);
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

// The layout of bracketed list `list` holding `entries`.
ListLayout layout_of(std::string_view text, TSNode list, const std::vector<TSNode>& entries) {
  ListLayout layout;
  layout.open = ts_node_start_byte(list);
  layout.empty = entries.empty();
  if (entries.empty()) {
    layout.last_end = layout.open + 1;
    return layout;
  }
  const TSNode first = entries.front();
  layout.first_begin = ts_node_start_byte(first);
  layout.first_on_own_line = ts_node_start_point(first).row != ts_node_start_point(list).row;
  layout.first_indent = indentation_at(text, layout.first_begin);
  const TSNode last = entries.back();
  layout.last_end = ts_node_end_byte(last);
  const std::size_t close = ts_node_end_byte(list) - 1;
  for (std::size_t at = layout.last_end; at < close; ++at) {
    if (text[at] == ',') {
      layout.trailing_comma = true;
      layout.comma_end = at + 1;
      break;
    }
    if (text[at] == '#') at = after_line_break(text, at) - 1;
  }
  layout.multiline = ts_node_start_point(last).row != ts_node_start_point(list).row;
  layout.indent = indentation_at(text, ts_node_start_byte(last));
  return layout;
}

}  // namespace

std::string indentation_at(std::string_view text, std::size_t at) {
  const std::size_t begin = line_begin(text, std::min(at, text.size()));
  std::size_t end = begin;
  while (end < text.size() && (text[end] == ' ' || text[end] == '\t')) ++end;
  return std::string(text.substr(begin, end - begin));
}

PythonFile::PythonFile(std::string text) : text_(std::move(text)) {
  for (std::size_t at = 0; at < text_.size();) {
    std::size_t end = text_.find('\n', at);
    if (end == std::string::npos) end = text_.size();
    const std::size_t width = end - at - (end > at && text_[end - 1] == '\r' ? 1 : 0);
    wrap_width_ = std::max(wrap_width_, width);
    at = end + 1;
  }
  const audit::FileParse parse(text_);
  if (parse.tree() == nullptr) return;
  parsed_ = true;
  const TSNode root = ts_tree_root_node(parse.tree());
  has_errors_ = ts_node_has_error(root);
  const std::string_view source = text_;

  // Where an import goes: after the imports that come before the module's
  // first definition (an import at the bottom, as in Flask's circular
  // `import views`, comes too late for the code above it).
  bool docstring_allowed = true;
  for (const TSNode& statement : items(root)) {
    const bool docstring = docstring_allowed && is(statement, "expression_statement") &&
                           is(ts_node_named_child(statement, 0), "string");
    docstring_allowed = false;
    if (is(statement, "function_definition") || is(statement, "class_definition") ||
        is(statement, "decorated_definition"))
      break;
    if (docstring || is(statement, "import_statement") || is(statement, "import_from_statement") ||
        is(statement, "future_import_statement")) {
      import_position_ = after_line_break(source, ts_node_end_byte(statement));
    }
  }

  // One walk with a cursor, keeping for each node the statement it is in:
  // the nearest node whose parent is a block or the module (a call inside a
  // lambda, decorator, parameter list or comprehension has none of its own:
  // what comes before that statement cannot see the names bound there).
  std::vector<Frame> frames{{root, root, root, false}};
  const auto enter = [&](TSNode node) {
    const Frame& up = frames.back();
    Frame frame{node, up.statement, is(up.node, "module") ? node : up.top, up.in_block};
    if (is(up.node, "block") || is(up.node, "module")) {
      frame.statement = node;
      frame.in_block = true;
    } else if (is(up.node, "lambda") || is(up.node, "decorator") || is(up.node, "parameters") ||
               is(up.node, "list_comprehension") || is(up.node, "set_comprehension") ||
               is(up.node, "dictionary_comprehension") || is(up.node, "generator_expression")) {
      frame.in_block = false;
    }
    frames.push_back(frame);
    visit(frames.back());
  };
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  while (true) {
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      enter(ts_tree_cursor_current_node(&cursor));
      continue;
    }
    bool done = false;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        done = true;
        break;
      }
      frames.pop_back();
    }
    if (done) break;
    frames.pop_back();
    enter(ts_tree_cursor_current_node(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
}

void PythonFile::visit(const Frame& frame) {
  const std::string_view source = text_;
  const TSNode node = frame.node;
  if (is(node, "dictionary")) {
    dicts_.push_back(
        {{ts_node_start_byte(node), ts_node_end_byte(node)}, layout_of(source, node, items(node))});
    return;
  }
  if (!is(node, "call")) return;
  const TSNode arguments = field(node, "arguments");
  if (!is(arguments, "argument_list")) return;
  CallSyntax call;
  call.line = static_cast<int>(ts_node_start_point(node).row) + 1;
  const TSNode callee = field(node, "function");
  call.callee = flat_text(source, callee);
  call.call = {ts_node_start_byte(node), ts_node_end_byte(node)};
  call.callee_range = {ts_node_start_byte(callee), ts_node_end_byte(callee)};
  call.arguments = {ts_node_start_byte(arguments), ts_node_end_byte(arguments)};
  const auto entries = items(arguments);
  for (const TSNode& argument : entries) {
    if (is(argument, "dictionary_splat")) call.keyword_splat = true;
    if (is(argument, "keyword_argument") &&
        node_text(source, field(argument, "name")) == "headers") {
      const TSNode value = field(argument, "value");
      call.headers = ByteRange{ts_node_start_byte(value), ts_node_end_byte(value)};
      call.headers_text = std::string(node_text(source, value));
    }
  }
  call.argument_list = layout_of(source, arguments, entries);
  call.in_block = frame.in_block;
  const std::size_t statement_begin = ts_node_start_byte(frame.statement);
  call.statement_line_begin = line_begin(source, statement_begin);
  call.statement_end = after_line_break(source, ts_node_end_byte(frame.statement));
  call.statement_indent = indentation_at(source, statement_begin);
  call.statement_starts_line =
      statement_begin == call.statement_line_begin + call.statement_indent.size();
  call.top_line_begin = line_begin(source, ts_node_start_byte(frame.top));
  calls_.push_back(std::move(call));
}

std::vector<const CallSyntax*> PythonFile::calls_at(int line) const {
  std::vector<const CallSyntax*> found;
  for (const CallSyntax& call : calls_) {
    if (call.line == line) found.push_back(&call);
  }
  return found;
}

std::optional<ListLayout> PythonFile::dict_at(ByteRange range) const {
  for (const auto& [where, dict] : dicts_) {
    if (where.begin == range.begin && where.end == range.end) return dict;
  }
  return std::nullopt;
}

}  // namespace tracemesh::fix
