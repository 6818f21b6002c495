# Fail the build when a tree-sitter grammar's generated parser is not for
# language ABI 14 (what Debian's libtree-sitter 0.20.7 loads):
#   cmake -DPARSER=<src/parser.c> -P check_grammar_abi.cmake
file(STRINGS "${PARSER}" version REGEX "^#define LANGUAGE_VERSION " LIMIT_COUNT 1)
if(NOT version MATCHES "LANGUAGE_VERSION 14$")
  message(FATAL_ERROR "${PARSER}: '${version}', but libtree-sitter 0.20.7 needs LANGUAGE_VERSION 14; "
    "pin a grammar version generated for ABI 14 in src/audit/python/grammars/package.json")
endif()
