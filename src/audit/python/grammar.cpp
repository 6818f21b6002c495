#include "audit/python/grammar.h"

#include <cstring>

extern "C" const TSLanguage* tree_sitter_python();

namespace tracemesh::audit {
namespace {

class Lookup {
 public:
  explicit Lookup(PythonGrammar& grammar) : grammar_(grammar) {}

  void symbol(TSSymbol& id, const char* name, bool named = true) {
    id = ts_language_symbol_for_name(grammar_.language, name,
                                     static_cast<std::uint32_t>(std::strlen(name)), named);
    if (id == 0) grammar_.missing.emplace_back(named ? name : std::string("\"") + name + "\"");
  }
  void field(TSFieldId& id, const char* name) {
    id = ts_language_field_id_for_name(grammar_.language, name,
                                       static_cast<std::uint32_t>(std::strlen(name)));
    if (id == 0) grammar_.missing.emplace_back(std::string(name) + ":");
  }

 private:
  PythonGrammar& grammar_;
};

PythonGrammar look_up() {
  PythonGrammar grammar;
  grammar.language = tree_sitter_python();
  Lookup lookup(grammar);
  PythonSymbols& s = grammar.symbol;
  lookup.symbol(s.module, "module");
  lookup.symbol(s.function_definition, "function_definition");
  lookup.symbol(s.class_definition, "class_definition");
  lookup.symbol(s.decorated_definition, "decorated_definition");
  lookup.symbol(s.decorator, "decorator");
  lookup.symbol(s.call, "call");
  lookup.symbol(s.argument_list, "argument_list");
  lookup.symbol(s.keyword_argument, "keyword_argument");
  lookup.symbol(s.await, "await");
  lookup.symbol(s.parenthesized_expression, "parenthesized_expression");
  lookup.symbol(s.as_pattern, "as_pattern");
  lookup.symbol(s.import_statement, "import_statement");
  lookup.symbol(s.import_from_statement, "import_from_statement");
  lookup.symbol(s.aliased_import, "aliased_import");
  lookup.symbol(s.dotted_name, "dotted_name");
  lookup.symbol(s.wildcard_import, "wildcard_import");
  lookup.symbol(s.assignment, "assignment");
  lookup.symbol(s.subscript, "subscript");
  lookup.symbol(s.identifier, "identifier");
  lookup.symbol(s.string, "string");
  lookup.symbol(s.string_content, "string_content");
  lookup.symbol(s.interpolation, "interpolation");
  lookup.symbol(s.comment, "comment");
  lookup.symbol(s.if_statement, "if_statement");
  lookup.symbol(s.elif_clause, "elif_clause");
  lookup.symbol(s.else_clause, "else_clause");
  lookup.symbol(s.try_statement, "try_statement");
  lookup.symbol(s.conditional_expression, "conditional_expression");
  lookup.symbol(s.block, "block");
  lookup.symbol(s.return_statement, "return_statement");
  lookup.symbol(s.raise_statement, "raise_statement");
  lookup.symbol(s.yield, "yield");
  lookup.symbol(s.async_keyword, "async", false);
  PythonFields& f = grammar.field;
  lookup.field(f.name, "name");
  lookup.field(f.parameters, "parameters");
  lookup.field(f.superclasses, "superclasses");
  lookup.field(f.condition, "condition");
  lookup.field(f.consequence, "consequence");
  lookup.field(f.alternative, "alternative");
  lookup.field(f.left, "left");
  lookup.field(f.right, "right");
  lookup.field(f.alias, "alias");
  lookup.field(f.function, "function");
  lookup.field(f.arguments, "arguments");
  lookup.field(f.value, "value");
  lookup.field(f.module_name, "module_name");
  lookup.field(f.subscript, "subscript");
  return grammar;
}

}  // namespace

const PythonGrammar& python_grammar() {
  static const PythonGrammar grammar = look_up();
  return grammar;
}

}  // namespace tracemesh::audit
