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

struct CallSyntax {
  int line = 0;        // 1-based, where the call begins
  std::string callee;  // as written, white space folded ("self.client.get")
  ByteRange call;
  ByteRange callee_range;
  ByteRange arguments;               // from '(' to ')' inclusive
  std::optional<ByteRange> headers;  // the value of `headers=`
  std::string headers_text;
  bool keyword_splat = false;         // a `**mapping` argument (could hold headers)
  std::size_t last_argument_end = 0;  // after the last argument; after '(' when none
  bool trailing_comma = false;
  std::size_t trailing_comma_end = 0;
  bool multiline = false;                // the last argument is not on the line of '('
  std::string argument_indent;           // the indentation of the last argument's line
  std::size_t statement_line_begin = 0;  // the start of the line its statement begins on
  std::size_t statement_end = 0;         // after the line break ending its statement
  std::string statement_indent;
  bool statement_starts_line = false;  // nothing but indentation before the statement
  bool in_block = false;               // the statement sits in a function's (or module's) block
};

// A dict literal's insertion point for one more entry.
struct DictSyntax {
  bool empty = false;
  std::size_t last_entry_end = 0;
  bool trailing_comma = false;
  std::size_t trailing_comma_end = 0;
  bool multiline = false;
  std::string entry_indent;
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

  // The dict literal `text_` holds in `range`, or nullopt when it is not one.
  std::optional<DictSyntax> dict_at(ByteRange range) const;

 private:
  struct Frame {
    TSNode node;
    TSNode statement;  // the statement `node` is in
    bool in_block;     // that statement sits in a block (a function's, the module's)
  };
  void visit(const Frame& frame);

  std::string text_;
  bool has_errors_ = false;
  bool parsed_ = false;
  std::vector<CallSyntax> calls_;
  std::vector<std::pair<ByteRange, DictSyntax>> dicts_;
  std::size_t import_position_ = 0;
};

// The indentation of the line holding byte `at` of `text`.
std::string indentation_at(std::string_view text, std::size_t at);

}  // namespace tracemesh::fix
