#include "audit/python/grammar.h"

#include <gtest/gtest.h>

namespace tracemesh::audit {
namespace {

TEST(PythonGrammar, DefinesEveryNodeKindAndFieldTheExtractorReads) {
  const PythonGrammar& grammar = python_grammar();
  std::string missing;
  for (const std::string& name : grammar.missing) missing += name + " ";
  EXPECT_TRUE(grammar.missing.empty()) << "not in the pinned grammar: " << missing;
  EXPECT_NE(grammar.symbol.call, grammar.symbol.identifier);
  EXPECT_NE(grammar.symbol.async_keyword, 0);
  EXPECT_NE(grammar.field.left, grammar.field.right);
}

TEST(PythonGrammar, IdsNameTheKindsTheyWereLookedUpBy) {
  const PythonGrammar& grammar = python_grammar();
  EXPECT_STREQ(ts_language_symbol_name(grammar.language, grammar.symbol.function_definition),
               "function_definition");
  EXPECT_STREQ(ts_language_symbol_name(grammar.language, grammar.symbol.async_keyword), "async");
  EXPECT_EQ(ts_language_symbol_type(grammar.language, grammar.symbol.async_keyword),
            TSSymbolTypeAnonymous);
  EXPECT_STREQ(ts_language_field_name_for_id(grammar.language, grammar.field.module_name),
               "module_name");
}

}  // namespace
}  // namespace tracemesh::audit
