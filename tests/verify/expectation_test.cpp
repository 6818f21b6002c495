// The expectation language, table-driven: what parses into what, and the
// column and message of every malformed expectation.
#include "verify/expectation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tracemesh::verify {
namespace {

struct PathRow {
  std::string text;
  std::vector<std::string> services;
  std::string hops;  // one letter per hop: d direct, b below; transport after ':' per hop
  std::vector<std::string> transports;
};

class PathParsing : public ::testing::TestWithParam<PathRow> {};

TEST_P(PathParsing, ParsesServicesAndHops) {
  const PathRow& row = GetParam();
  SyntaxError error;
  const auto parsed = parse_expectation(row.text, error);
  ASSERT_TRUE(parsed) << row.text << ": column " << error.column << ": " << error.message;
  const auto* path = std::get_if<ServicePath>(&parsed->body);
  ASSERT_NE(path, nullptr) << row.text;
  EXPECT_EQ(path->services, row.services);
  ASSERT_EQ(path->hops.size(), row.hops.size());
  for (std::size_t i = 0; i < row.hops.size(); ++i) {
    EXPECT_EQ(path->hops[i].direct, row.hops[i] == 'd') << row.text << " hop " << i;
    EXPECT_EQ(path->hops[i].transport, row.transports[i]) << row.text << " hop " << i;
  }
  EXPECT_EQ(parsed->text, row.text);
}

INSTANTIATE_TEST_SUITE_P(
    Expectations, PathParsing,
    ::testing::Values(
        PathRow{"bot -> agent-service -> rag-service",
                {"bot", "agent-service", "rag-service"},
                "dd",
                {"", ""}},
        PathRow{"bot->agent-service->rag-service",
                {"bot", "agent-service", "rag-service"},
                "dd",
                {"", ""}},
        PathRow{"ui ~> rag", {"ui", "rag"}, "b", {""}},
        PathRow{"ui -> api ~> db", {"ui", "api", "db"}, "db", {"", ""}},
        PathRow{"delivery-worker -> (mqtt) -> mqtt-consumer",
                {"delivery-worker", "mqtt-consumer"},
                "d",
                {"mqtt"}},
        PathRow{"a -> (http) -> b -> (kafka) -> c", {"a", "b", "c"}, "dd", {"http", "kafka"}},
        PathRow{"\"my service\" -> 'other one'", {"my service", "other one"}, "d", {""}},
        PathRow{"svc.v2 -> svc_3:x", {"svc.v2", "svc_3:x"}, "d", {""}}));

struct AssertionRow {
  std::string text;
  Assertion::Subject subject;
  std::size_t conditions;
  std::string field;
  Operator op;
  std::string value;
};

class AssertionParsing : public ::testing::TestWithParam<AssertionRow> {};

TEST_P(AssertionParsing, ParsesSubjectFieldOperatorAndValue) {
  const AssertionRow& row = GetParam();
  SyntaxError error;
  const auto parsed = parse_expectation(row.text, error);
  ASSERT_TRUE(parsed) << row.text << ": column " << error.column << ": " << error.message;
  const auto* assertion = std::get_if<Assertion>(&parsed->body);
  ASSERT_NE(assertion, nullptr) << row.text;
  EXPECT_EQ(assertion->subject, row.subject) << row.text;
  EXPECT_EQ(assertion->selector.conditions.size(), row.conditions) << row.text;
  EXPECT_EQ(assertion->field, row.field) << row.text;
  EXPECT_EQ(assertion->op, row.op) << row.text;
  EXPECT_EQ(assertion->value.text, row.value) << row.text;
}

using S = Assertion::Subject;
INSTANTIATE_TEST_SUITE_P(
    Expectations, AssertionParsing,
    ::testing::Values(
        AssertionRow{"span[service=rag-service kind=server] http.response.status_code = 200",
                     S::span_field, 2, "http.response.status_code", Operator::eq, "200"},
        AssertionRow{"span[service=a] http.response.status_code == 200", S::span_field, 1,
                     "http.response.status_code", Operator::eq, "200"},
        AssertionRow{"span[name=\"GET /healthz\"] duration < 50ms", S::span_field, 1, "duration",
                     Operator::lt, "50ms"},
        AssertionRow{"span[service!=db] status != error", S::span_field, 1, "status", Operator::ne,
                     "error"},
        AssertionRow{"span retries <= 3", S::span_field, 0, "retries", Operator::le, "3"},
        AssertionRow{"span[kind=client] http.response.status_code >= 200", S::span_field, 1,
                     "http.response.status_code", Operator::ge, "200"},
        AssertionRow{"span[kind=client] http.response.status_code > 199", S::span_field, 1,
                     "http.response.status_code", Operator::gt, "199"},
        AssertionRow{"span url.full contains '/api/'", S::span_field, 0, "url.full",
                     Operator::contains, "/api/"},
        AssertionRow{"span[service=agent] user.id exists", S::span_field, 1, "user.id",
                     Operator::exists, ""},
        AssertionRow{"span[service=agent] secret not exists", S::span_field, 1, "secret",
                     Operator::not_exists, ""},
        AssertionRow{"count(span[service=db kind=client]) <= 3", S::span_count, 2, "", Operator::le,
                     "3"},
        AssertionRow{"count(span) = 7", S::span_count, 0, "", Operator::eq, "7"},
        AssertionRow{"trace duration < 2s", S::trace_duration, 0, "", Operator::lt, "2s"},
        AssertionRow{"trace duration <= 1.5s", S::trace_duration, 0, "", Operator::le, "1.5s"}));

TEST(ValueReadings, NumbersDurationsAndBooleans) {
  SyntaxError error;
  const auto read = [&](const std::string& text) {
    const auto parsed = parse_expectation(text, error);
    EXPECT_TRUE(parsed) << text << ": " << error.message;
    return std::get<Assertion>(parsed->body).value;
  };
  const Value number = read("span x = -2.5");
  ASSERT_TRUE(number.number);
  EXPECT_DOUBLE_EQ(*number.number, -2.5);
  EXPECT_FALSE(number.nanoseconds);
  const Value duration = read("span duration < 1.5s");
  ASSERT_TRUE(duration.nanoseconds);
  EXPECT_EQ(*duration.nanoseconds, 1'500'000'000U);
  EXPECT_TRUE(read("span cached = true").boolean.value_or(false));
  const Value quoted = read("span code = \"200\"");
  EXPECT_TRUE(quoted.quoted);
  EXPECT_FALSE(quoted.number);
  EXPECT_EQ(read(R"(span msg = "say \"hi\"")").text, "say \"hi\"");
}

TEST(Selectors, ABareKeyAsksForTheField) {
  SyntaxError error;
  const auto parsed =
      parse_expectation("span[url.full kind=client] url.full contains /api/", error);
  ASSERT_TRUE(parsed) << error.message;
  const auto& conditions = std::get<Assertion>(parsed->body).selector.conditions;
  ASSERT_EQ(conditions.size(), 2U);
  EXPECT_TRUE(conditions[0].presence);
  EXPECT_EQ(conditions[0].key, "url.full");
  EXPECT_FALSE(conditions[1].presence);
}

TEST(SelectorText, IsKeptAsWrittenForMessages) {
  SyntaxError error;
  const auto parsed = parse_expectation("count( span[service=a  kind=server] ) >= 1", error);
  ASSERT_TRUE(parsed) << error.message;
  EXPECT_EQ(std::get<Assertion>(parsed->body).selector.text, "span[service=a  kind=server]");
}

struct ErrorRow {
  std::string text;
  std::size_t column;
  std::string message;  // a part of the message
};

class ParseErrors : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(ParseErrors, NameTheColumnAndWhatWasExpected) {
  const ErrorRow& row = GetParam();
  SyntaxError error;
  EXPECT_FALSE(parse_expectation(row.text, error)) << row.text;
  EXPECT_EQ(error.column, row.column) << row.text << ": " << error.message;
  EXPECT_NE(error.message.find(row.message), std::string::npos)
      << row.text << ": '" << error.message << "' lacks '" << row.message << "'";
}

INSTANTIATE_TEST_SUITE_P(
    Expectations, ParseErrors,
    ::testing::Values(
        ErrorRow{"", 1, "empty"}, ErrorRow{"   ", 4, "empty"},
        ErrorRow{"bot ->", 7, "expected a service name after the arrow"},
        ErrorRow{"bot -> -> rag", 8, "expected a service name after the arrow"},
        ErrorRow{"bot agent", 1, "expected span[...], trace duration or count(span[...])"},
        ErrorRow{"bot -> agent rag", 14, "expected -> or ~> between services"},
        ErrorRow{"bot ~> (mqtt) -> c", 8, "a transport hop is direct"},
        ErrorRow{"bot -> (mqtt -> c", 14, "expected ')' after the transport name"},
        ErrorRow{"bot -> (mqtt) c", 15, "expected -> after (mqtt)"},
        ErrorRow{"bot -> () -> c", 9, "expected a transport name"},
        ErrorRow{"bot ~ rag", 5, "'~' must be followed by '>'"},
        ErrorRow{"span[service=a kind=sever] x = 1", 21, "unknown span kind 'sever'"},
        ErrorRow{"span[status=failed] x = 1", 13, "unknown status 'failed'"},
        ErrorRow{"span[service=a x = 1", 21,
                 "expected ']' to close the selector opened at column 5"},
        ErrorRow{"span[service < a] x = 1", 14, "expected = or != after 'service'"},
        ErrorRow{"span name < 3", 11, "'<' compares numbers; name is text"},
        ErrorRow{"span[kind=server] duration exists", 28, "duration is always there"},
        ErrorRow{"trace duration not exists", 16, "trace duration is always there"},
        ErrorRow{"count(span) exists", 13, "is always there"},
        ErrorRow{"span[service=] x = 1", 14, "expected a value after 'service='"},
        ErrorRow{"span[=a] x = 1", 6, "expected a key"},
        ErrorRow{"span[service=a]", 16, "expected a field"},
        ErrorRow{"span[service=a] x", 18, "expected an operator"},
        ErrorRow{"span[service=a] x ~= 1", 19, "'~' must be followed by '>'"},
        ErrorRow{"span[service=a] x is 1", 19, "expected an operator"},
        ErrorRow{"span[service=a] x =", 20, "expected a value after x ="},
        ErrorRow{"span[service=a] x < abc", 21, "'<' compares numbers"},
        ErrorRow{"span x ! 3", 8, "'!' must be followed by '='"},
        ErrorRow{"span[service=a] duration < 50", 28, "expected a duration with a unit"},
        ErrorRow{"span duration contains 5ms", 15, "not contains"},
        ErrorRow{"span kind = serv", 13, "unknown span kind 'serv'"},
        ErrorRow{"trace duration > fast", 18, "expected a duration"},
        ErrorRow{"count(span[service=a]) >= 1.5", 27, "whole number"},
        ErrorRow{"count(span[service=a]) >= -1", 27, "whole number"},
        ErrorRow{"count(span[service=a]) = 1e300", 26, "whole number"},
        ErrorRow{"span x < inf", 10, "'<' compares numbers"},
        ErrorRow{"count(span[service=a] >= 1", 23,
                 "expected ')' to close count( opened at column 6"},
        ErrorRow{"count(service=a) = 1", 7, "expected span[...]"},
        ErrorRow{"span x = 1 extra", 12, "expected the end of the expectation"},
        ErrorRow{"span x = \"open", 10, "unterminated string"},
        ErrorRow{"span x = \x01", 10, "control character"}));

// A YAML block scalar ends in a line break; reports show the expectation without it.
TEST(ExpectationText, IsKeptWithoutSurroundingWhiteSpace) {
  SyntaxError error;
  const auto parsed = parse_expectation("  bot -> agent-service\n", error);
  ASSERT_TRUE(parsed) << error.message;
  EXPECT_EQ(parsed->text, "bot -> agent-service");
}

}  // namespace
}  // namespace tracemesh::verify
