// Python source text read without the parser: the text of an argument, a
// call or a literal as the parser hands it over (python/module.h keeps
// expressions as their source text). Brackets and string literals are
// respected; nothing is evaluated.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/python/module.h"

namespace tracemesh::audit {

// `text` without leading and trailing white space.
std::string_view trim_space(std::string_view text);

// Whether `text` is a name or a dotted name (`a`, `settings.url`).
bool is_dotted_name(std::string_view text);

// Whether `text` is `open ... close` with the brackets matching each other.
bool enclosed(std::string_view text, char open, char close);

// A Python string literal's prefix, quotes and content: `f"a{b}"` →
// {"f", "a{b}"}; nullopt when `text` is not one literal.
struct StringLiteral {
  std::string prefix;  // lowercase: "", "f", "r", "rb", "fr"...
  std::string content;
};
std::optional<StringLiteral> string_literal(std::string_view text);

// A call or decorator's source text split into its callee and arguments:
// `router.get("/x", name=y)` → {"router.get", {"\"/x\""}, {{"name", "y"}}}.
struct CallText {
  std::string callee;
  std::vector<std::string> arguments;
  std::vector<Keyword> keywords;
};
CallText split_call(const std::string& text);

// Split `text` at each top-level `separator` (outside brackets and strings).
std::vector<std::string> split_top_level(std::string_view text, char separator);

}  // namespace tracemesh::audit
