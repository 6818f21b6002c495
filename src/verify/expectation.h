// The expectation language of `tracemesh verify`: what a trace must look
// like, one expectation per line of a spec or per --expect flag.
//
//   ui -> auth                          a direct hop: a span of `auth` whose parent is in `ui`
//   ui ~> rag-service                   somewhere below: any depth of hops
//   worker -> (mqtt) -> consumer        a hop through a transport: the parent span's
//                                       messaging.system (or "http", or rpc.system)
//   span[service=auth kind=server] http.response.status_code = 200
//   span[name="GET /healthz"] duration < 50ms
//   span[service=agent] user.id exists          (also: not exists)
//   span[url.full] url.full contains "/api/"    (a bare key: spans that have it)
//   span status != error                        (every span: no brackets)
//   count(span[service=db kind=client]) <= 3
//   trace duration < 2s
//
// Selector keys service, name, kind and status match those span fields; any
// other key is an attribute. Operators: = != < <= > >= contains exists.
// Values are bare words or "quoted strings"; numbers compare as numbers,
// durations take a unit (ns us ms s m h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tracemesh::verify {

// A literal in an expectation, with the readings the checks may need.
struct Value {
  std::string text;  // as written, without quotes
  bool quoted = false;
  std::optional<double> number;              // when it reads as a number
  std::optional<std::uint64_t> nanoseconds;  // when it reads as a duration with a unit
  std::optional<bool> boolean;               // true / false
};

enum class Operator : std::uint8_t { eq, ne, lt, le, gt, ge, contains, exists, not_exists };
const char* to_string(Operator op) noexcept;

// span[key=value key!=value key ...]: every condition must hold; a bare
// key holds when the span has that field.
struct SpanSelector {
  struct Condition {
    std::string key;  // service, name, kind, status, or an attribute key
    bool negated = false;
    bool presence = false;  // a bare key: the field exists (value unused)
    Value value;
  };
  std::vector<Condition> conditions;
  std::string text;  // as written, for messages
};

// A chain of hops through services.
struct ServicePath {
  struct Hop {
    bool direct = true;     // `->`; `~>` is "somewhere below"
    std::string transport;  // `(mqtt)` between two services; empty: any
  };
  std::vector<std::string> services;  // at least two
  std::vector<Hop> hops;              // services.size() - 1
};

struct Assertion {
  enum class Subject : std::uint8_t {
    span_field,      // every span the selector matches (at least one must)
    span_count,      // count(selector)
    trace_duration,  // trace duration
  };
  Subject subject = Subject::span_field;
  SpanSelector selector;
  std::string field;  // span_field: duration, name, kind, status, service, or an attribute key
  Operator op = Operator::eq;
  Value value;
};

struct Expectation {
  std::string text;  // as written
  std::variant<ServicePath, Assertion> body;
};

// Where an expectation stops making sense: a 1-based column in its text and
// what was expected there.
struct SyntaxError {
  std::size_t column = 1;
  std::string message;
};

// Parse one expectation; on failure return nullopt and fill `error`.
std::optional<Expectation> parse_expectation(std::string_view text, SyntaxError& error);

}  // namespace tracemesh::verify
