// Edits of one file's text, by byte range, as the fixer plans them: each
// replaces [begin, end) of the original with new text. Applied together
// (from the end backwards), so every range refers to the original.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tracemesh::fix {

struct TextEdit {
  std::size_t begin = 0;
  std::size_t end = 0;  // == begin for an insertion
  std::string text;
};

// The line break a file uses: "\r\n" when its first line ends so, else "\n".
std::string_view line_break_of(std::string_view text);

// `text` with "\n" turned into `line_break` (a no-op for "\n").
std::string with_line_breaks(std::string_view text, std::string_view line_break);

// `original` with `edits` applied. False (and `out` untouched) when two
// edits overlap or one reaches past the end; insertions at one position
// keep their order.
bool apply_edits(std::string_view original, std::vector<TextEdit> edits, std::string& out);

}  // namespace tracemesh::fix
