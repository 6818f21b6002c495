#include "verify/assertion_check.h"

#include <charconv>
#include <cmath>

#include "model/duration.h"
#include "verify/attribute_aliases.h"
#include "verify/builtin_checks.h"
#include "verify/span_attributes.h"

namespace tracemesh::verify {
namespace {

using nlohmann::json;

// A span field as the checks compare it: a JSON value, or missing. With
// `aliases`, a renamed attribute is also read under its other name
// (attribute_aliases.h); presence checks ask for the name as written.
std::optional<json> field_value(const model::SpanRecord& span, const std::string& field,
                                bool aliases = true) {
  if (field == "service") return json(span.service);
  if (field == "name") return json(span.name);
  if (field == "kind") return json(model::to_string(span.kind));
  if (field == "status") return json(model::to_string(span.status_code));
  if (field == "duration") return json(span.duration_nanos());
  json attributes = span_attributes(span);
  auto found = attributes.find(field);
  // A span that carries only the other name of a renamed attribute.
  for (const std::string_view alias :
       aliases ? aliases_of(field) : std::span<const std::string_view>()) {
    if (found == attributes.end()) found = attributes.find(alias);
  }
  if (found == attributes.end()) return std::nullopt;
  return std::move(*found);
}

std::optional<double> as_number(const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    double number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error == std::errc() && end == text.data() + text.size() && !text.empty()) return number;
  }
  return std::nullopt;
}

std::string as_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool equal(const json& actual, const Value& expected) {
  if (actual.is_boolean() && expected.boolean) return actual.get<bool>() == *expected.boolean;
  if (actual.is_number() && expected.number) return actual.get<double>() == *expected.number;
  return as_text(actual) == expected.text;
}

bool contains(const json& actual, const Value& expected) {
  if (actual.is_array()) {
    for (const json& element : actual) {
      if (equal(element, expected)) return true;
    }
    return false;
  }
  return as_text(actual).find(expected.text) != std::string::npos;
}

bool ordered(double actual, Operator op, double expected) {
  switch (op) {
    case Operator::lt:
      return actual < expected;
    case Operator::le:
      return actual <= expected;
    case Operator::gt:
      return actual > expected;
    case Operator::ge:
      return actual >= expected;
    case Operator::eq:
      return actual == expected;
    case Operator::ne:
      return actual != expected;
    default:
      return false;
  }
}

// Values quoted in messages are cut: a message is read in a CI log.
std::string shortened(std::string text) {
  constexpr std::size_t limit = 200;
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return text.substr(0, cut) + "... (" + std::to_string(text.size()) + " bytes)";
}

// Whether `actual` (nullopt: missing) satisfies `op value`; `why` says what
// was found when it does not.
bool holds(const std::optional<json>& actual, Operator op, const Value& value, bool is_duration,
           std::string& why) {
  if (op == Operator::exists || op == Operator::not_exists) {
    why = actual ? "is present" : "is missing";  // never the value: it may be a secret
    return actual.has_value() == (op == Operator::exists);
  }
  if (!actual) {
    why = "is missing";
    return false;
  }
  if (is_duration) {
    const auto nanos = actual->get<std::uint64_t>();
    why = "is " + model::format_duration(nanos);
    return ordered(static_cast<double>(nanos), op, static_cast<double>(*value.nanoseconds));
  }
  why = "is " +
        shortened(actual->is_string() ? "\"" + actual->get<std::string>() + "\"" : actual->dump());
  switch (op) {
    case Operator::eq:
      return equal(*actual, value);
    case Operator::ne:
      return !equal(*actual, value);
    case Operator::contains:
      return contains(*actual, value);
    default: {
      const auto number = as_number(*actual);
      if (!number) {
        why += ", not a number";
        return false;
      }
      return ordered(*number, op, *value.number);
    }
  }
}

std::string expected_text(const Assertion& assertion) {
  std::string text = to_string(assertion.op);
  if (assertion.op != Operator::exists && assertion.op != Operator::not_exists) {
    text += " " + assertion.value.text;
  }
  return text;
}

}  // namespace

bool matches(const SpanSelector& selector, const model::SpanRecord& span) {
  for (const SpanSelector::Condition& condition : selector.conditions) {
    const auto actual = field_value(span, condition.key, !condition.presence);
    if (condition.presence) {
      if (!actual) return false;
      continue;
    }
    const bool equals = actual.has_value() && equal(*actual, condition.value);
    if (equals == condition.negated) return false;
  }
  return true;
}

Outcome check_assertion(const Assertion& assertion, const model::Trace& trace) {
  Outcome outcome;
  std::string why;
  if (assertion.subject == Assertion::Subject::trace_duration) {
    outcome.passed = holds(json(trace.duration_nanos()), assertion.op, assertion.value, true, why);
    outcome.message = "trace duration " + why.substr(3) +
                      (outcome.passed ? "" : ", expected " + expected_text(assertion));
    return outcome;
  }
  std::vector<const model::SpanRecord*> selected;
  for (const model::SpanRecord& span : trace.spans) {
    if (matches(assertion.selector, span)) selected.push_back(&span);
  }
  if (assertion.subject == Assertion::Subject::span_count) {
    const auto count = static_cast<std::uint64_t>(selected.size());
    outcome.passed = holds(json(count), assertion.op, assertion.value, false, why);
    outcome.message = "count(" + assertion.selector.text + ") = " + std::to_string(count) +
                      (outcome.passed ? "" : ", expected " + expected_text(assertion));
    if (!outcome.passed) {
      for (const model::SpanRecord* span : selected)
        outcome.spans.push_back(span->span_id.to_hex());
    }
    return outcome;
  }
  if (selected.empty()) {
    outcome.passed = false;
    outcome.message = "no span matches " + assertion.selector.text;
    return outcome;
  }
  const bool is_duration = assertion.field == "duration";
  std::size_t failed = 0;
  for (const model::SpanRecord* span : selected) {
    const bool presence = assertion.op == Operator::exists || assertion.op == Operator::not_exists;
    if (holds(field_value(*span, assertion.field, !presence), assertion.op, assertion.value,
              is_duration, why)) {
      continue;
    }
    if (failed < max_listed_spans) {
      outcome.message += std::string(failed == 0 ? "" : "; ") + assertion.field + " of " +
                         span_label(trace, span->span_id) + " " + why;
    }
    outcome.spans.push_back(span->span_id.to_hex());
    ++failed;
  }
  if (failed > max_listed_spans) {
    outcome.message += "; and " + std::to_string(failed - max_listed_spans) + " more";
  }
  outcome.passed = failed == 0;
  if (outcome.passed) {
    outcome.message = std::to_string(selected.size()) + " span(s) matched, all with " +
                      assertion.field + " " + expected_text(assertion);
  } else {
    outcome.message = std::to_string(failed) + " of " + std::to_string(selected.size()) +
                      " span(s) fail " + assertion.field + " " + expected_text(assertion) + ": " +
                      outcome.message;
  }
  return outcome;
}

}  // namespace tracemesh::verify
