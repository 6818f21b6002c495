#include "verify/spec.h"

#include <optional>
#include <set>

#include <yaml-cpp/yaml.h>

#include "model/ascii.h"
#include "model/duration.h"
#include "model/yaml_input.h"
#include "tracemesh/legacy_propagator.h"

namespace tracemesh::verify {
namespace {

using model::yaml_input::expect_keys;
using model::yaml_input::fail;
using model::yaml_input::kind_of;
using model::yaml_input::scalar;
using SpecError = model::yaml_input::InputError;

std::uint64_t duration(const YAML::Node& node, const char* key) {
  const auto parsed = model::parse_duration(scalar(node, "a duration"));
  if (!parsed) fail(node, std::string(key) + ": " + std::string(parsed.error().text()));
  return static_cast<std::uint64_t>(parsed->count());
}

TraceSelector parse_selector(const YAML::Node& node) {
  expect_keys(node, {"trace_id", "legacy_id", "root_service", "root_operation", "attributes"},
              "select");
  if (node["trace_id"] && node["legacy_id"]) {
    fail(node["legacy_id"], "select: trace_id and legacy_id name the same thing: give one");
  }
  TraceSelector selector;
  if (node["trace_id"]) {
    selector.trace_id = scalar(node["trace_id"], "a trace id");
    if (selector.trace_id.size() != 32 ||
        selector.trace_id.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
      fail(node["trace_id"], "trace_id: expected 32 hex digits, found '" + selector.trace_id + "'");
    }
  }
  if (node["legacy_id"]) {
    auto mapped = legacy_trace_id(scalar(node["legacy_id"], "a legacy id"));
    if (!mapped) fail(node["legacy_id"], "legacy_id: " + std::string(mapped.error().text()));
    selector.trace_id = *mapped;
  }
  if (node["root_service"]) selector.root_service = scalar(node["root_service"], "a service");
  if (node["root_operation"]) {
    selector.root_operation = scalar(node["root_operation"], "a span name");
  }
  if (const YAML::Node attributes = node["attributes"]) {
    if (!attributes.IsMap()) fail(attributes, "attributes: expected KEY: VALUE pairs");
    for (const auto& entry : attributes) {
      selector.attributes.emplace_back(scalar(entry.first, "an attribute key"),
                                       scalar(entry.second, "an attribute value"));
    }
  }
  if (selector.empty()) {
    fail(node,
         "select: name at least one of trace_id, legacy_id, root_service, root_operation, "
         "attributes");
  }
  return selector;
}

// Where a scalar's text starts in the source: exact for a plain scalar or a
// one-line quoted one written without escapes; otherwise nullopt (block
// scalars, escapes: the text differs from what was written).
std::optional<YAML::Mark> text_start(const YAML::Node& node, std::string_view source) {
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.pos < 0) return std::nullopt;
  const auto pos = static_cast<std::size_t>(mark.pos);
  const std::string& text = node.Scalar();
  if (pos >= source.size()) return std::nullopt;
  const char first = source[pos];
  const std::size_t skip = first == '"' || first == '\'' ? 1 : 0;
  if (source.substr(pos + skip, text.size()) != text) return std::nullopt;
  YAML::Mark start = mark;
  start.column += static_cast<int>(skip);
  return start;
}

Expectation parse_expectation_node(const YAML::Node& node, std::string_view source) {
  const std::string text = scalar(node, "an expectation (a string)");
  SyntaxError error;
  auto expectation = parse_expectation(text, error);
  if (!expectation) {
    if (auto start = text_start(node, source)) {
      start->column += static_cast<int>(error.column - 1);
      throw SpecError{*start, error.message + " in '" + text + "'"};
    }
    throw SpecError{node.Mark(), "column " + std::to_string(error.column) +
                                     " of the expectation: " + error.message + " in '" + text +
                                     "'"};
  }
  return std::move(*expectation);
}

Check parse_check(const YAML::Node& node, std::set<std::string>& names, std::string_view source) {
  expect_keys(node, {"name", "select", "expect"}, "a check");
  Check check;
  if (!node["name"]) fail(node, "a check needs a name");
  check.name = scalar(node["name"], "a name");
  if (check.name.empty()) fail(node["name"], "a check's name is empty");
  if (!names.insert(check.name).second)
    fail(node["name"], "two checks are named '" + check.name + "'");
  if (node["select"]) check.select = parse_selector(node["select"]);
  const YAML::Node expect = node["expect"];
  if (!expect || !expect.IsSequence() || expect.size() == 0) {
    fail(expect ? expect : node, "check '" + check.name +
                                     "': expect must be a list of "
                                     "expectations (at least one)");
  }
  for (const YAML::Node& item : expect) {
    check.expectations.push_back(parse_expectation_node(item, source));
  }
  return check;
}

Spec parse_root(const YAML::Node& root, std::string_view source) {
  if (!root || root.IsNull()) fail(root, "the spec is empty: expected a mapping with 'checks'");
  expect_keys(root, {"builtin", "skew_tolerance", "timeout", "checks"}, "the spec");
  Spec spec;
  if (const YAML::Node builtin = root["builtin"]) {
    if (!builtin.IsSequence()) fail(builtin, "builtin: expected a list of check names");
    spec.builtins.clear();
    for (const YAML::Node& item : builtin) {
      const auto check = builtin_named(scalar(item, "a built-in check name"));
      if (!check) {
        fail(item, "unknown built-in check '" + item.Scalar() +
                       "' (expected single_root, no_orphans, no_broken_hops, no_clock_skew)");
      }
      spec.builtins.push_back(*check);
    }
  }
  if (root["skew_tolerance"])
    spec.skew_tolerance_nanos = duration(root["skew_tolerance"], "skew_tolerance");
  if (root["timeout"]) spec.timeout_nanos = duration(root["timeout"], "timeout");
  const YAML::Node checks = root["checks"];
  if (checks && !checks.IsSequence()) fail(checks, "checks: expected a list of checks");
  std::set<std::string> names;
  if (checks) {
    for (const YAML::Node& item : checks) spec.checks.push_back(parse_check(item, names, source));
  }
  if (spec.checks.empty() && spec.builtins.empty()) {
    fail(root, "the spec checks nothing: no checks and no built-in checks");
  }
  return spec;
}

}  // namespace

Expected<Spec> parse_spec(std::string_view yaml, std::string_view source) {
  return model::yaml_input::read(yaml, source,
                                 [&](const YAML::Node& root) { return parse_root(root, yaml); });
}

Expected<std::string> legacy_trace_id(std::string_view value) {
  // A W3C traceparent names its trace id, as the log reader takes it.
  if (value.size() == 55 && value.substr(0, 3) == "00-" && value[35] == '-' && value[52] == '-') {
    const auto trace_id = TraceId::from_hex(model::ascii_lowercase(value.substr(3, 32)));
    if (trace_id) return trace_id->to_hex();
  }
  const auto mapped = parse_legacy_trace_id(value);
  if (!mapped) {
    return Error{ErrorCode::invalid_input, "'" + std::string(value) +
                                               "' is not a legacy trace id (1 to 256 visible ASCII "
                                               "characters): " +
                                               std::string(mapped.error().text())};
  }
  return mapped->to_hex();
}

Expected<std::vector<Builtin>> parse_builtin_list(std::string_view list) {
  std::vector<Builtin> checks;
  if (list == "none") return checks;
  if (list == "all") return std::vector<Builtin>(std::begin(all_builtins), std::end(all_builtins));
  while (!list.empty()) {
    const std::size_t comma = list.find(',');
    const std::string_view name = list.substr(0, comma);
    const auto check = builtin_named(name);
    if (!check) {
      return Error{ErrorCode::invalid_input,
                   "unknown built-in check '" + std::string(name) +
                       "' (expected all, none, or single_root, no_orphans, no_broken_hops, "
                       "no_clock_skew separated by commas)"};
    }
    checks.push_back(*check);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return checks;
}

}  // namespace tracemesh::verify
