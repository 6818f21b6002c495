// One Python file as the fixer edits it: every call's byte ranges (callee,
// argument list, `headers=` value, the statement it sits in), where a new
// import goes, and whether tree-sitter found syntax errors. Parsed once;
// the tree is dropped before the constructor returns, so several files can
// be held at once.
#pragma once

#include <tree_sitter/api.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tracemesh::fix {

struct ByteRange {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Where one more item goes in a bracketed list (a call's arguments, a dict's
// entries), and how the list is laid out.
struct ListLayout {
  std::size_t open = 0;  // the opening bracket
  bool empty = true;
  std::size_t last_end = 0;  // after the last item; after the bracket when empty
  bool trailing_comma = false;
  std::size_t comma_end = 0;
  bool multiline = false;          // the last item is not on the bracket's line
  std::string indent;              // the indentation of the last item's line
  std::size_t first_begin = 0;     // where the first item starts
  bool first_on_own_line = false;  // the first item is not on the bracket's line
  std::string first_indent;        // the indentation of the first item's line
};

struct CallSyntax {
  int line = 0;        // 1-based, where the call begins
  std::string callee;  // as written, white space folded ("self.client.get")
  ByteRange call;
  ByteRange callee_range;
  ByteRange arguments;  // from '(' to ')' inclusive
  ListLayout argument_list;
  std::optional<ByteRange> headers;  // the value of `headers=`
  std::string headers_text;
  bool keyword_splat = false;            // a `**mapping` argument (could hold headers)
  std::size_t statement_line_begin = 0;  // the start of the line its statement begins on
  std::size_t statement_end = 0;         // after the line break ending its statement
  std::string statement_indent;
  bool statement_starts_line = false;  // nothing but indentation before the statement
  std::size_t top_line_begin = 0;      // the start of its module-level statement (decorators too)
  bool in_block = false;               // the statement sits in a function's (or module's) block
};

class PythonFile {
 public:
  explicit PythonFile(std::string text);

  const std::string& text() const { return text_; }
  bool has_errors() const { return has_errors_; }
  bool parsed() const { return parsed_; }  // false when tree-sitter gave up (timeout)

  // Calls beginning on `line` (1-based), in source order.
  std::vector<const CallSyntax*> calls_at(int line) const;

  // Where a new top-level import goes: after the last import at the top
  // level of the module, else after the docstring and `from __future__`
  // imports, else at the start.
  std::size_t import_position() const { return import_position_; }

  // The layout of the dict literal `text_` holds in `range`; nullopt when it is not one.
  std::optional<ListLayout> dict_at(ByteRange range) const;

  // How long a line may grow before an added item goes on a line of its
  // own: the file's longest line, and at least 99 columns.
  std::size_t wrap_width() const { return wrap_width_; }

 private:
  struct Frame {
    TSNode node;
    TSNode statement;  // the statement `node` is in
    TSNode top;        // the module-level statement it is in
    bool in_block;     // that statement sits in a block (a function's, the module's)
  };
  void visit(const Frame& frame);

  std::string text_;
  bool has_errors_ = false;
  bool parsed_ = false;
  std::vector<CallSyntax> calls_;
  std::vector<std::pair<ByteRange, ListLayout>> dicts_;
  std::size_t wrap_width_ = 99;
  std::size_t import_position_ = 0;
};

// The indentation of the line holding byte `at` of `text`.
std::string indentation_at(std::string_view text, std::size_t at);

}  // namespace tracemesh::fix
