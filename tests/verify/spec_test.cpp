// YAML spec files: what a good spec holds, and an error with line and column
// for every bad one.
#include "verify/spec.h"

#include <gtest/gtest.h>

#include <string>

namespace tracemesh::verify {
namespace {

TEST(Spec, ReadsChecksSelectorsBuiltinsAndLimits) {
  const auto spec = parse_spec(R"(# the fleet's alert path
builtin: [single_root, no_broken_hops]
skew_tolerance: 5ms
timeout: 1m
checks:
  - name: an alert is one connected trace
    select:
      root_service: ui
      root_operation: POST /api/alerts
      attributes: {http.request.header.x-trace-id: abc123}
    expect:
      - ui -> auth
      - "ui ~> webhook-receiver"
      - span[service=auth kind=server] http.response.status_code = 200
  - name: health checks are fast
    expect:
      - trace duration < 500ms
)",
                               "fleet.yaml");
  ASSERT_TRUE(spec) << spec.error().text();
  EXPECT_EQ(spec->builtins, (std::vector<Builtin>{Builtin::single_root, Builtin::no_broken_hops}));
  EXPECT_EQ(spec->skew_tolerance_nanos, 5'000'000U);
  EXPECT_EQ(spec->timeout_nanos, 60'000'000'000U);
  ASSERT_EQ(spec->checks.size(), 2U);
  const Check& alert = spec->checks[0];
  EXPECT_EQ(alert.name, "an alert is one connected trace");
  EXPECT_EQ(alert.select.root_service, "ui");
  EXPECT_EQ(alert.select.root_operation, "POST /api/alerts");
  ASSERT_EQ(alert.select.attributes.size(), 1U);
  EXPECT_EQ(alert.select.attributes[0].first, "http.request.header.x-trace-id");
  EXPECT_EQ(alert.select.attributes[0].second, "abc123");
  ASSERT_EQ(alert.expectations.size(), 3U);
  EXPECT_TRUE(std::holds_alternative<ServicePath>(alert.expectations[1].body));
  EXPECT_TRUE(std::holds_alternative<Assertion>(alert.expectations[2].body));
  EXPECT_TRUE(spec->checks[1].select.empty());
}

TEST(Spec, RunsEveryBuiltinUnlessToldAndMayRunOnlyThem) {
  auto spec = parse_spec("checks:\n  - name: a\n    expect: [a -> b]\n", "s.yaml");
  ASSERT_TRUE(spec) << spec.error().text();
  EXPECT_EQ(spec->builtins.size(), 4U);
  spec = parse_spec("builtin: [no_orphans]\n", "s.yaml");
  ASSERT_TRUE(spec) << spec.error().text();
  EXPECT_TRUE(spec->checks.empty());
  spec = parse_spec("builtin: []\nchecks:\n  - name: a\n    expect: [a -> b]\n", "s.yaml");
  ASSERT_TRUE(spec) << spec.error().text();
  EXPECT_TRUE(spec->builtins.empty());
}

struct ErrorRow {
  std::string yaml;
  std::string error;  // the whole "file:line:column: message" or its start
};

class SpecErrors : public ::testing::TestWithParam<ErrorRow> {};

TEST_P(SpecErrors, SayWhereAndWhatWasExpected) {
  const auto spec = parse_spec(GetParam().yaml, "spec.yaml");
  ASSERT_FALSE(spec) << GetParam().yaml;
  const std::string text(spec.error().text());
  EXPECT_EQ(text.substr(0, GetParam().error.size()), GetParam().error) << text;
  EXPECT_EQ(spec.error().code, ErrorCode::invalid_input);
}

INSTANTIATE_TEST_SUITE_P(
    Specs, SpecErrors,
    ::testing::Values(
        ErrorRow{"", "spec.yaml: the spec is empty"},
        ErrorRow{"- a\n- b\n", "spec.yaml:1:1: expected the spec (a mapping), found a list"},
        ErrorRow{"chekcs: []\n",
                 "spec.yaml:1:1: unknown key 'chekcs' in the spec (expected "
                 "builtin, skew_tolerance, timeout, checks)"},
        ErrorRow{"checks: {}\n", "spec.yaml:1:9: checks: expected a list of checks"},
        ErrorRow{"checks:\n  - expect: [a -> b]\n", "spec.yaml:2:5: a check needs a name"},
        ErrorRow{"checks:\n  - name: a\n", "spec.yaml:2:5: check 'a': expect must be a list"},
        ErrorRow{"checks:\n  - name: a\n    expect: []\n", "spec.yaml:3:13: check 'a': expect"},
        ErrorRow{"checks:\n  - name: a\n    expect: [a -> b]\n  - name: a\n    expect: [a -> b]\n",
                 "spec.yaml:4:11: two checks are named 'a'"},
        ErrorRow{"checks:\n  - name: a\n    expect:\n      - bot -> \n",
                 "spec.yaml:4:15: expected a service name after the arrow, found the end in "
                 "'bot ->'"},
        ErrorRow{"checks:\n  - name: a\n    expect:\n      - \"span[kind=sever] x = 1\"\n",
                 "spec.yaml:4:20: unknown span kind 'sever'"},
        ErrorRow{"checks:\n  - name: a\n    expect:\n      - span x < abc\n",
                 "spec.yaml:4:18: '<' compares numbers"},
        // Escapes: the text differs from the source, so the expectation's own column is named.
        ErrorRow{
            "checks:\n  - name: a\n    expect:\n      - \"span[name=\\\"x\\\"] kind = sever\"\n",
            "spec.yaml:4:9: column 23 of the expectation: unknown span kind 'sever'"},
        ErrorRow{"checks:\n  - name: a\n    expect:\n      - |\n        span kind = sever\n",
                 "spec.yaml:4:9: column 13 of the expectation: unknown span kind 'sever'"},
        ErrorRow{"checks:\n  - name: a\n    expect:\n      - {a: b}\n",
                 "spec.yaml:4:9: expected an expectation (a string), found a mapping"},
        ErrorRow{"checks:\n  - name: a\n    expct: [a -> b]\n",
                 "spec.yaml:3:5: unknown key 'expct' in a check (expected name, select, expect)"},
        ErrorRow{"checks:\n  - name: a\n    select: {service: ui}\n    expect: [a -> b]\n",
                 "spec.yaml:3:14: unknown key 'service' in select"},
        ErrorRow{"checks:\n  - name: a\n    select: {}\n    expect: [a -> b]\n",
                 "spec.yaml:3:13: select: name at least one"},
        ErrorRow{"checks:\n  - name: a\n    select: {trace_id: abc}\n    expect: [a -> b]\n",
                 "spec.yaml:3:24: trace_id: expected 32 hex digits"},
        ErrorRow{"checks:\n  - name: a\n    select: {legacy_id: \"\"}\n    expect: [a -> b]\n",
                 "spec.yaml:3:25: legacy_id: '' is not a legacy trace id"},
        ErrorRow{"builtin: [single_root, no_orphan]\n",
                 "spec.yaml:1:24: unknown built-in check 'no_orphan'"},
        ErrorRow{"builtin: all\n", "spec.yaml:1:10: builtin: expected a list"},
        ErrorRow{"timeout: soon\n", "spec.yaml:1:10: timeout: 'soon' is not a duration"},
        ErrorRow{"timeout: 1s\ntimeout: 2s\n", "spec.yaml:2:1: key 'timeout' appears twice"},
        ErrorRow{"builtin: []\n", "spec.yaml:1:1: the spec checks nothing"},
        ErrorRow{"checks: [\n", "spec.yaml:2:1: "},
        ErrorRow{"checks:\n  - name: 'unterminated\n", "spec.yaml:"}));

TEST(Spec, MapsALegacyIdAsTheSdksDo) {
  const auto spec = parse_spec(
      "checks:\n  - name: a\n    select: {legacy_id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301}\n"
      "    expect: [a -> b]\n",
      "s.yaml");
  ASSERT_TRUE(spec) << spec.error().text();
  EXPECT_EQ(spec->checks[0].select.trace_id, "3f2504e04f8911d39a0c0305e82c3301");
  // Any other string: the first 16 bytes of its SHA-256, as every SDK computes it.
  // (Python: hashlib.sha256(b"req-42").hexdigest()[:32])
  EXPECT_EQ(*legacy_trace_id("req-42"), "fd1180d9f0c0819f00056b7b9de19fce");
}

TEST(BuiltinList, ReadsAllNoneAndNames) {
  EXPECT_EQ(parse_builtin_list("all")->size(), 4U);
  EXPECT_TRUE(parse_builtin_list("none")->empty());
  EXPECT_EQ(*parse_builtin_list("no_orphans,no_clock_skew"),
            (std::vector<Builtin>{Builtin::no_orphans, Builtin::no_clock_skew}));
  const auto bad = parse_builtin_list("no_orphans,orphans");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().text().find("unknown built-in check 'orphans'"), std::string::npos);
}

}  // namespace
}  // namespace tracemesh::verify
