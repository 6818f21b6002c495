#include "audit/python/parser.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <unordered_map>

#include "audit/python/grammar.h"
#include "audit/python/syntax_tree.h"

namespace tracemesh::audit {
namespace {

class Extractor {
 public:
  Extractor(std::string_view source, PythonModule& module)
      : source_(source),
        module_(module),
        symbols_(python_grammar().symbol),
        fields_(python_grammar().field) {
    texts_.emplace_back();  // index 0: no guard
  }

  // A depth-first walk with a tree cursor (in libtree-sitter 0.20, indexed
  // child access and ts_node_parent cost a scan each): each named node's
  // level holds what it inherits, and the ancestors are the levels below it.
  // Anonymous nodes are tokens ("(", "if", ","): nothing is read from them;
  // nor from the parts of a string literal, unless it interpolates values.
  void run(TSNode root) {
    TSTreeCursor cursor = ts_tree_cursor_new(root);
    levels_.push_back(Level{root, ts_node_symbol(root)});
    process();
    bool more = ts_tree_cursor_goto_first_child(&cursor);
    while (more) {
      const TSNode node = ts_tree_cursor_current_node(&cursor);
      if (ts_node_is_named(node)) {
        const TSSymbol symbol = ts_node_symbol(node);
        if (symbol == symbols_.identifier) {
          use_identifier(node);  // the commonest node: a leaf, never an ancestor
        } else {
          enter(node, symbol);
          if (descends(levels_.back()) && ts_tree_cursor_goto_first_child(&cursor)) continue;
          leave();
        }
      }
      while (!(more = ts_tree_cursor_goto_next_sibling(&cursor)) && levels_.size() > 1) {
        ts_tree_cursor_goto_parent(&cursor);
        leave();
      }
    }
    ts_tree_cursor_delete(&cursor);
    // What is used unconditionally somewhere is not guarded.
    for (std::size_t i = 0; i < module_.functions.size(); ++i) {
      const Uses& uses = used_[i];
      std::erase_if(module_.functions[i].guards, [&](const auto& guarded) {
        const auto found = uses.find(guarded.first);
        return found != uses.end() && (found->second & used_unguarded) != 0;
      });
    }
  }

 private:
  using TextIndex = std::uint32_t;  // an index in texts_; 0 is the empty text

  struct Level {
    TSNode node;
    TSSymbol symbol = 0;
    int function = -1;     // index in module_.functions, -1 outside functions
    int class_index = -1;  // index in module_.classes of the enclosing class, -1 outside
    int conditional = 0;   // enclosing if/try levels inside the function
    TextIndex guard = 0;   // the innermost condition around the node, inside its function
    // For its children: an if's condition and the guards of its branches, a
    // conditional expression's named children seen so far, a block's guard
    // after an early return.
    TSNode condition{};
    TextIndex if_guard = 0;
    TextIndex unless_guard = 0;
    std::uint32_t named_seen = 0;
    TextIndex after = 0;
  };
  // Identifiers and strings used in one function, each with what is known of
  // it (one lookup per use); the views point into the source or into owned_,
  // both alive until the walk ends.
  static constexpr std::uint8_t listed_in_names = 1;  // an identifier in Function::names
  static constexpr std::uint8_t used_unguarded = 2;   // used outside any guard
  using Uses = std::unordered_map<std::string_view, std::uint8_t>;

  TextIndex intern(std::string text) {
    texts_.push_back(std::move(text));
    return static_cast<TextIndex>(texts_.size() - 1);
  }

  // The guard of the named node `child` of the node on top: an if's
  // branches, a conditional expression's values, and the statements after
  // an early `return`/`raise`; else the parent's.
  TextIndex guard_of(TSNode child, TSSymbol symbol) {
    Level& parent = levels_.back();
    if (parent.function < 0) return parent.guard;
    if (parent.symbol == symbols_.if_statement || parent.symbol == symbols_.elif_clause) {
      if (!ts_node_eq(child, parent.condition))
        return symbol == symbols_.else_clause ? parent.unless_guard : parent.if_guard;
    } else if (parent.symbol == symbols_.conditional_expression) {
      const std::uint32_t index = parent.named_seen++;
      if (index == 0) return parent.if_guard;
      if (index == 2) return parent.unless_guard;
    } else if (parent.symbol == symbols_.block && parent.after != 0) {
      return parent.after;
    }
    return parent.guard;
  }

  // Push the level of the named node `child` (of the node on top) and process it.
  void enter(TSNode child, TSSymbol symbol) {
    const TextIndex guard = guard_of(child, symbol);
    const Level& parent = levels_.back();
    levels_.push_back(
        Level{child, symbol, parent.function, parent.class_index, parent.conditional, guard});
    process();
  }

  // An identifier (child of the node on top) used in a function.
  void use_identifier(TSNode node) {
    const TextIndex guard = guard_of(node, symbols_.identifier);
    const int function = levels_.back().function;
    if (function >= 0) add_use(function, guard, text(node), true);
  }

  // Pop the node on top; an `if` that exits early guards what follows it in its block.
  void leave() {
    const Level finished = levels_.back();
    levels_.pop_back();
    Level& parent = levels_.back();
    if (parent.function >= 0 && parent.symbol == symbols_.block &&
        finished.symbol == symbols_.if_statement && exits_early(finished.node)) {
      parent.after = intern("unless " + flat(field(finished.node, fields_.condition)));
    }
  }

  // The facts of the node on top, and what its children inherit.
  void process() {
    Level& level = levels_.back();
    const TSNode node = level.node;
    const TSSymbol symbol = level.symbol;
    if (symbol == symbols_.function_definition) {
      level.function = add_function(node, level.class_index, level.function);
      used_.resize(module_.functions.size());
      level.conditional = 0;
      level.guard = 0;
    } else if (symbol == symbols_.class_definition) {
      level.class_index = add_class(node, level.class_index, level.function);
      level.function = -1;
    } else if (symbol == symbols_.call) {
      add_call(node, level.function, level.conditional > 0);
    } else if (symbol == symbols_.import_statement || symbol == symbols_.import_from_statement) {
      add_import(node, symbol == symbols_.import_from_statement);
    } else if (symbol == symbols_.assignment) {
      add_assignment(node, level);
    } else if (symbol == symbols_.if_statement && level.function < 0 &&
               class_name(level.class_index).empty()) {
      const std::string condition = flat(field(node, fields_.condition));
      if (condition.find("__name__") != std::string::npos &&
          condition.find("__main__") != std::string::npos) {
        module_.has_main_block = true;
      }
    } else if (symbol == symbols_.string && level.function >= 0) {
      add_use(level.function, level.guard, string_content(node), false);
    }
    if (symbol == symbols_.if_statement || symbol == symbols_.try_statement ||
        symbol == symbols_.conditional_expression || symbol == symbols_.elif_clause) {
      ++level.conditional;
    }
    if (level.function < 0) return;
    // `yield client` in a (context manager) generator hands it out like a return.
    if ((symbol == symbols_.return_statement || symbol == symbols_.yield) &&
        named_count(node) > 0) {
      auto& returns = module_.functions[static_cast<std::size_t>(level.function)].returns;
      if (returns.size() < max_strings_per_function)
        returns.push_back(flat(ts_node_named_child(node, 0)));
    } else if (symbol == symbols_.if_statement || symbol == symbols_.elif_clause) {
      level.condition = field(node, fields_.condition);
      set_branch_guards(level, flat(level.condition));
    } else if (symbol == symbols_.conditional_expression) {
      set_branch_guards(level, named_count(node) == 3 ? flat(ts_node_named_child(node, 1)) : "");
    }
  }

  // Whether the walk visits the children of the node on top: not of a
  // comment, and not of a string without interpolations (its start, content, escape
  // sequences and end say nothing more than the string).
  bool descends(const Level& level) const {
    if (level.symbol == symbols_.comment) return false;
    if (level.symbol != symbols_.string) return true;
    const std::uint32_t count = named_count(level.node);
    for (std::uint32_t i = 0; i < count; ++i) {
      if (is(ts_node_named_child(level.node, i), symbols_.interpolation)) return true;
    }
    return false;
  }

  void set_branch_guards(Level& level, const std::string& condition) {
    level.if_guard = intern("if " + condition);
    level.unless_guard = intern("unless " + condition);
  }

  const std::string& class_name(int index) const {
    return index < 0 ? texts_.front() : module_.classes[static_cast<std::size_t>(index)].name;
  }

  // The ancestor `up` levels above the node on top (1: its parent); a null node past the root.
  TSNode ancestor(std::size_t up) const {
    return up < levels_.size() ? levels_[levels_.size() - 1 - up].node : TSNode{};
  }

  // `if cond: return ...` (or raise) without an else: what follows runs only unless cond.
  bool exits_early(TSNode statement) const {
    if (!ts_node_is_null(field(statement, fields_.alternative))) return false;
    const TSNode body = field(statement, fields_.consequence);
    const std::uint32_t count = named_count(body);
    for (std::uint32_t i = 0; i < count; ++i) {
      const TSNode child = ts_node_named_child(body, i);
      if (is(child, symbols_.return_statement) || is(child, symbols_.raise_statement)) return true;
    }
    return false;
  }

  void add_use(int in_function, TextIndex guard, std::string_view used, bool identifier) {
    const auto index = static_cast<std::size_t>(in_function);
    Function& function = module_.functions[index];
    std::uint8_t& known = used_[index][used];
    if (identifier) {
      if ((known & listed_in_names) == 0 && function.names.size() < max_names_per_function) {
        known |= listed_in_names;
        function.names.emplace_back(used);
      }
    } else if (function.strings.size() < max_strings_per_function) {
      function.strings.emplace_back(used);
    }
    if (guard == 0) {
      known |= used_unguarded;
    } else if (function.guards.size() < max_names_per_function &&
               function.guards.find(used) == function.guards.end()) {
      function.guards.emplace(std::string(used), texts_[guard]);
    }
  }

  std::string_view text(TSNode node) const { return node_text(source_, node); }
  std::string flat(TSNode node) const { return flat_text(source_, node); }
  static int line(TSNode node) { return static_cast<int>(ts_node_start_point(node).row) + 1; }
  static std::uint32_t named_count(TSNode node) { return named_child_count(node); }
  static TSNode field(TSNode node, TSFieldId id) { return child_by_field(node, id); }
  static bool is(TSNode node, TSSymbol symbol) { return has_symbol(node, symbol); }

  // A string literal's contents (escapes as written, f-string parts without
  // their interpolations): a view into the source when it is one part,
  // else into a copy kept until the walk ends.
  std::string_view string_content(TSNode node) {
    std::string_view single;
    std::string joined;
    std::uint32_t parts = 0;
    const std::uint32_t count = named_count(node);
    for (std::uint32_t i = 0; i < count; ++i) {
      const TSNode part = ts_node_named_child(node, i);
      if (!is(part, symbols_.string_content)) continue;
      if (parts++ == 0) {
        single = text(part);
      } else {
        if (parts == 2) joined = single;
        joined += text(part);
      }
    }
    if (parts < 2) return single;
    return owned_.emplace_back(std::move(joined));
  }

  // The decorators of the function or class definition on top, as source
  // text without '@', and the line of each when `lines` is given.
  std::vector<std::string> decorators(std::vector<int>* lines = nullptr) const {
    std::vector<std::string> found;
    const TSNode parent = ancestor(1);
    if (!is(parent, symbols_.decorated_definition)) return found;
    const std::uint32_t children = named_count(parent);
    for (std::uint32_t i = 0; i < children; ++i) {
      const TSNode decorator = ts_node_named_child(parent, i);
      if (!is(decorator, symbols_.decorator) || named_count(decorator) == 0) continue;
      found.push_back(flat(ts_node_named_child(decorator, 0)));
      if (lines != nullptr) lines->push_back(line(decorator));
    }
    return found;
  }

  int add_function(TSNode node, int class_index, int enclosing) {
    Function function;
    const std::string name(text(field(node, fields_.name)));
    const std::string& class_name = this->class_name(class_index);
    if (enclosing >= 0) {
      function.qualified =
          module_.functions[static_cast<std::size_t>(enclosing)].qualified + "." + name;
    } else {
      function.qualified = class_name.empty() ? name : class_name + "." + name;
    }
    function.class_name = enclosing >= 0 ? std::string() : class_name;
    function.line = line(node);
    function.end_line = static_cast<int>(ts_node_end_point(node).row) + 1;
    function.is_async =
        ts_node_child_count(node) > 0 && is(ts_node_child(node, 0), symbols_.async_keyword);
    const TSNode parameters = field(node, fields_.parameters);
    const std::uint32_t count = named_count(parameters);
    for (std::uint32_t i = 0; i < count; ++i) {
      TSNode parameter = ts_node_named_child(parameters, i);
      const std::string_view kind = ts_node_type(parameter);
      const std::string_view written = text(parameter);  // `*args: T` is a typed_parameter too
      if ((kind == "identifier" || kind == "typed_parameter") && !written.starts_with("*"))
        ++function.required_parameters;
      if (written.starts_with("**")) function.takes_keywords = true;
      if (!is(parameter, symbols_.identifier)) {
        const TSNode named = field(parameter, fields_.name);
        parameter = ts_node_is_null(named) ? ts_node_named_child(parameter, 0) : named;
      }
      if (is(parameter, symbols_.identifier)) function.parameters.emplace_back(text(parameter));
    }
    function.decorators = decorators(&function.decorator_lines);
    module_.functions.push_back(std::move(function));
    return static_cast<int>(module_.functions.size()) - 1;
  }

  int add_class(TSNode node, int enclosing, int function) {
    Class found;
    found.name = std::string(text(field(node, fields_.name)));
    const std::string& enclosing_name = class_name(enclosing);
    if (!enclosing_name.empty() && function < 0) found.name = enclosing_name + "." + found.name;
    found.line = line(node);
    found.decorators = decorators(&found.decorator_lines);
    const TSNode bases = field(node, fields_.superclasses);
    const std::uint32_t count = named_count(bases);
    for (std::uint32_t i = 0; i < count; ++i) {
      const TSNode base = ts_node_named_child(bases, i);
      if (!is(base, symbols_.keyword_argument)) found.bases.push_back(flat(base));
    }
    module_.classes.push_back(std::move(found));
    return static_cast<int>(module_.classes.size()) - 1;
  }

  // The name a call's result is bound to: `x = call()`, `x = await call()`,
  // `with call() as x`, `async with call() as x`.
  std::string binding(TSNode call) const {
    TSNode child = call;
    std::size_t up = 1;
    TSNode parent = ancestor(up);
    while (is(parent, symbols_.await) || is(parent, symbols_.parenthesized_expression)) {
      child = parent;
      parent = ancestor(++up);
    }
    if (is(parent, symbols_.assignment) && ts_node_eq(field(parent, fields_.right), child)) {
      return flat(field(parent, fields_.left));
    }
    if (is(parent, symbols_.as_pattern)) {
      const TSNode alias = field(parent, fields_.alias);
      if (!ts_node_is_null(alias)) return flat(alias);
    }
    return {};
  }

  void add_call(TSNode node, int function, bool conditional) {
    Call call;
    call.callee = flat(field(node, fields_.function));
    call.function =
        function >= 0 ? module_.functions[static_cast<std::size_t>(function)].qualified : "";
    call.assigned_to = binding(node);
    call.line = line(node);
    call.conditional = conditional;
    const TSNode arguments = field(node, fields_.arguments);
    if (is(arguments, symbols_.argument_list)) {
      const std::uint32_t count = named_count(arguments);
      for (std::uint32_t i = 0; i < count; ++i) {
        const TSNode argument = ts_node_named_child(arguments, i);
        const TSSymbol kind = ts_node_symbol(argument);
        if (kind == symbols_.comment) continue;
        if (kind == symbols_.keyword_argument) {
          call.keywords.push_back({std::string(text(field(argument, fields_.name))),
                                   flat(field(argument, fields_.value))});
        } else {
          call.arguments.push_back(flat(argument));
        }
      }
    }
    module_.calls.push_back(std::move(call));
  }

  void add_import(TSNode node, bool from) {
    if (!from) {
      const std::uint32_t count = named_count(node);
      for (std::uint32_t i = 0; i < count; ++i) {
        const TSNode item = ts_node_named_child(node, i);
        if (is(item, symbols_.aliased_import)) {
          const std::string module(text(field(item, fields_.name)));
          module_.imports.push_back(
              {module, {}, std::string(text(field(item, fields_.alias))), line(item)});
        } else if (is(item, symbols_.dotted_name)) {
          const std::string module(text(item));
          // `import a.b` binds `a`.
          module_.imports.push_back({module, {}, module.substr(0, module.find('.')), line(item)});
        }
      }
      return;
    }
    const TSNode module_name = field(node, fields_.module_name);
    const std::string module = flat(module_name);
    const std::uint32_t count = named_count(node);
    bool any = false;
    for (std::uint32_t i = 0; i < count; ++i) {
      const TSNode item = ts_node_named_child(node, i);
      if (ts_node_eq(item, module_name)) continue;
      if (is(item, symbols_.aliased_import)) {
        module_.imports.push_back({module, std::string(text(field(item, fields_.name))),
                                   std::string(text(field(item, fields_.alias))), line(item)});
        any = true;
      } else if (is(item, symbols_.dotted_name)) {
        const std::string name(text(item));
        module_.imports.push_back({module, name, name, line(item)});
        any = true;
      } else if (is(item, symbols_.wildcard_import)) {
        module_.imports.push_back({module, "*", {}, line(item)});
        any = true;
      }
    }
    if (!any) module_.imports.push_back({module, {}, {}, line(node)});
  }

  // Module level: string constants and every NAME = expression; in a
  // function: its locals (first binding).
  void add_assignment(TSNode node, const Level& frame) {
    const TSNode left = field(node, fields_.left);
    const TSNode right = field(node, fields_.right);
    if (is(left, symbols_.subscript) && frame.function >= 0 && !ts_node_is_null(right)) {
      // headers[TRACE_ID_HEADER] = trace_id: an item set on a local.
      auto& items = module_.functions[static_cast<std::size_t>(frame.function)].item_sets;
      if (items.size() < max_strings_per_function) {
        items.push_back({flat(field(left, fields_.value)), flat(field(left, fields_.subscript)),
                         texts_[frame.guard], flat(right)});
      }
      return;
    }
    if (!is(left, symbols_.identifier) || ts_node_is_null(right)) return;
    const std::string name(text(left));
    if (frame.function >= 0) {
      auto& locals = module_.functions[static_cast<std::size_t>(frame.function)].locals;
      if (locals.size() < max_names_per_function) locals.emplace(name, flat(right));
      return;
    }
    if (!class_name(frame.class_index).empty()) {
      // A class attribute (settings classes: `API_PREFIX: str = "/api/v1"`).
      auto& attributes = module_.classes[static_cast<std::size_t>(frame.class_index)].attributes;
      if (attributes.size() < max_names_per_function) attributes.emplace(name, flat(right));
      return;
    }
    module_.assignments[name] = flat(right);
    if (!is(right, symbols_.string)) return;
    for (std::uint32_t i = 0; i < named_count(right); ++i) {
      if (is(ts_node_named_child(right, i), symbols_.interpolation)) return;  // an f-string
    }
    module_.constants[name] = std::string(string_content(right));
  }

  std::string_view source_;
  PythonModule& module_;
  const PythonSymbols& symbols_;
  const PythonFields& fields_;
  std::vector<Uses> used_;          // per function
  std::vector<Level> levels_;       // the node being processed and its ancestors
  std::vector<std::string> texts_;  // guards and conditions, by index
  std::deque<std::string> owned_;   // string contents joined from several parts
};

}  // namespace

Expected<PythonModule> parse_python(std::string_view path, std::string_view source) {
  if (source.size() > max_python_file_bytes) {
    return Error{ErrorCode::invalid_input, std::string(path) + ": larger than " +
                                               std::to_string(max_python_file_bytes >> 20) +
                                               " MiB, skipped"};
  }
  if (source.find('\0') != std::string_view::npos) {
    return Error{ErrorCode::invalid_input, std::string(path) + ": not text (NUL bytes), skipped"};
  }
  const FileParse parse(source);
  if (parse.tree() == nullptr) {
    return Error{ErrorCode::invalid_input, std::string(path) + ": parsing took over 10 s, skipped"};
  }
  PythonModule module;
  module.path = std::string(path);
  const TSNode root = ts_tree_root_node(parse.tree());
  module.has_syntax_errors = ts_node_has_error(root);
  Extractor(source, module).run(root);
  return module;
}

}  // namespace tracemesh::audit
