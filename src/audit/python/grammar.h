// The node kinds and fields of the Python grammar that fact extraction reads,
// looked up by name once so that the walk compares small integers instead of
// type strings (libtree-sitter 0.20 also finds a field by name with a linear
// scan of every field name).
#pragma once

#include <tree_sitter/api.h>

#include <string>
#include <vector>

namespace tracemesh::audit {

struct PythonSymbols {
  TSSymbol module, function_definition, class_definition, decorated_definition, decorator;
  TSSymbol call, argument_list, keyword_argument, await, parenthesized_expression, as_pattern;
  TSSymbol import_statement, import_from_statement, aliased_import, dotted_name, wildcard_import;
  TSSymbol assignment, subscript, identifier, string, string_content, interpolation, comment;
  TSSymbol if_statement, elif_clause, else_clause, try_statement, conditional_expression, block;
  TSSymbol return_statement, raise_statement, yield;
  TSSymbol async_keyword;  // the anonymous `async` token
};

struct PythonFields {
  TSFieldId name, parameters, superclasses, condition, consequence, alternative;
  TSFieldId left, right, alias, function, arguments, value, module_name, subscript;
};

struct PythonGrammar {
  const TSLanguage* language = nullptr;
  PythonSymbols symbol{};
  PythonFields field{};
  // Names the grammar does not define (empty for the pinned grammar; their
  // id is 0, which no node and no field has, so they never match).
  std::vector<std::string> missing;
};

// The grammar the audit is built with (tree-sitter-python from npm).
const PythonGrammar& python_grammar();

}  // namespace tracemesh::audit
