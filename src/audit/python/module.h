// What the audit knows about one Python module after parsing it: imports,
// functions and classes, every call with its keywords, module constants.
// Extracted once per file (in parallel); the rules work on these facts
// across the whole repository, never on syntax trees.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tracemesh::audit {

struct Import {
  std::string module;  // "httpx", "app.clients", ".shared" (relative keeps its dots)
  std::string name;    // from-imports: the imported name; empty for `import module`
  std::string alias;   // the name it is bound to in this module
  int line = 0;
};

struct Keyword {
  std::string name;
  std::string value;  // source text of the value
};

struct Call {
  std::string callee;  // source text of the called expression: "httpx.get", "self.client.post"
  std::string
      function;  // enclosing function, qualified: "Client.fetch", "main"; empty at module level
  std::string
      assigned_to;  // "client", "self.client": the call's result bound by `=` or `with ... as`
  std::vector<std::string> arguments;  // source text of positional arguments
  std::vector<Keyword> keywords;
  int line = 0;
  bool conditional = false;  // under an if/try (inside its function, or at module level)
};

// `target[key] = ...` in a function body.
struct ItemSet {
  std::string target;  // "headers"
  std::string key;     // source text: "TRACE_ID_HEADER", "\"X-Trace-ID\""
  std::string guard;   // the condition it sits under; "" when none
  std::string value;   // source text of the value set
};

struct Function {
  std::string qualified;  // "Class.method" or "function"
  std::string class_name;
  std::vector<std::string> decorators;  // source text, without '@'
  std::vector<int> decorator_lines;     // the line of each decorator
  std::vector<std::string> parameters;
  std::size_t required_parameters = 0;  // positional ones without a default (self included)
  bool takes_keywords = false;          // has **kwargs
  std::vector<std::string> strings;     // string literal contents in the body (capped)
  std::vector<std::string> names;       // identifiers used in the body (deduplicated, capped)
  // String literals and identifiers whose every use in the body sits under a
  // condition, with it: "if trace_id", "unless tid is None" (after an early
  // return). What is used unconditionally anywhere in the body is not here.
  std::map<std::string, std::string, std::less<>> guards;
  std::map<std::string, std::string> locals;  // name = expression (source text, first binding)
  std::vector<ItemSet> item_sets;             // subscript assignments
  std::vector<std::string> returns;           // `return EXPR` and `yield EXPR` source texts
  int line = 0;
  int end_line = 0;
  bool is_async = false;
};

struct Class {
  std::string name;
  std::vector<std::string> bases;  // source text: "BaseHTTPMiddleware", "httpx.AsyncBaseTransport"
  std::vector<std::string> decorators;            // source text, without '@'
  std::vector<int> decorator_lines;               // the line of each decorator
  std::map<std::string, std::string> attributes;  // class-level NAME = expression (first binding)
  int line = 0;
};

struct PythonModule {
  std::string path;  // relative to the audited root, '/' separators
  std::vector<Import> imports;
  std::vector<Function> functions;
  std::vector<Class> classes;
  std::vector<Call> calls;
  std::map<std::string, std::string> constants;    // NAME = "string literal" at module level
  std::map<std::string, std::string> assignments;  // NAME = expression at module level (last wins)
  bool has_main_block = false;                     // `if __name__ == "__main__":`
  bool has_syntax_errors = false;  // parsed with error recovery: facts may be partial
};

}  // namespace tracemesh::audit
