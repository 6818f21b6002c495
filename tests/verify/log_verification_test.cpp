// Service paths judged from logs alone: a path holds when its services
// logged the id in its order; a failure says where the id stopped and what
// the next service did instead. Which checks apply to which id follows the
// rules for traces, with the first service to log an id as its root.
#include "verify/log_verification.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "ingest/json_log_lines.h"
#include "verify/log_files.h"

namespace tracemesh::verify {
namespace {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t base = 1'796'670'600ULL * 1'000'000'000ULL;  // 2026-12-07T19:10:00Z

model::LogRecord line(std::uint64_t at_ms, const std::string& service, const std::string& id) {
  model::LogRecord record;
  record.time_unix_nano = base + at_ms * ms;
  record.service = service;
  if (!id.empty()) {
    record.trace_id = *ingest::logged_trace_id(id);
    record.logged_id = id;
  }
  return record;
}

std::string hex(const std::string& id) {
  return ingest::logged_trace_id(id)->to_hex();
}

Spec paths(std::vector<std::string> texts) {
  Spec spec;
  spec.builtins.clear();
  Check check;
  check.name = "command line";
  for (const std::string& text : texts) {
    SyntaxError error;
    auto expectation = parse_expectation(text, error);
    EXPECT_TRUE(expectation.has_value()) << text << ": " << error.message;
    if (expectation) check.expectations.push_back(std::move(*expectation));
  }
  spec.checks.push_back(std::move(check));
  return spec;
}

// The one result for the id `id` logged as, or a failure.
Outcome outcome_for(const LogVerification& verification, const std::string& id) {
  for (const LogTrailResult& result : verification.trails) {
    if (result.trail.trace_id.to_hex() == hex(id) && !result.results.empty()) {
      return result.results.front().outcome;
    }
  }
  ADD_FAILURE() << "no result for " << id;
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A healthy request, then one the ui did not forward while ingest served others.
const std::vector<model::LogRecord> fleet = {
    line(0, "ui_iot", "req-ok"),       line(4, "ingest", "req-ok"),
    line(9, "store", "req-ok"),        line(12, "ui_iot", "req-ok"),
    line(100, "ui_iot", "req-lost"),   line(110, "ingest", "other-1"),
    line(130, "ingest", "other-2"),    line(150, "ingest", "other-1"),
    line(500, "ingest", "late-other"),
};

TEST(LogPath, HoldsWhenTheServicesLoggedTheIdInOrder) {
  const TraceSelector chosen{hex("req-ok"), {}, {}, {}};
  const auto verification =
      verify_logs(paths({"ui_iot -> ingest -> store", "ui_iot ~> store"}), fleet, chosen, {});
  ASSERT_EQ(verification.trails.size(), 1U);
  EXPECT_TRUE(verification.passed());
  const Outcome& held = verification.trails[0].results[0].outcome;
  EXPECT_EQ(held.message, "ui_iot (2026-12-07T19:10:00.000Z) -> ingest (+4.0ms) -> store (+9.0ms)");
  EXPECT_EQ(verification.trails[0].trail.services.size(), 3U);
  EXPECT_EQ(verification.trails[0].trail.services[0].lines, 2U);
}

TEST(LogPath, SaysTheIdWasLikelyNotForwardedWhenTheCalleeServedOtherIds) {
  const TraceSelector chosen{hex("req-lost"), {}, {}, {}};
  const auto verification = verify_logs(paths({"ui_iot -> ingest -> store"}), fleet, chosen, {});
  const Outcome outcome = outcome_for(verification, "req-lost");
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message,
                       "the id reached ui_iot (2026-12-07T19:10:00.100Z), never "
                       "ingest: ingest logged 2 other ids within 200.0ms"))
      << outcome.message;
  EXPECT_TRUE(contains(outcome.message, "(other-1, other-2): the id was likely not forwarded"))
      << outcome.message;
  EXPECT_FALSE(contains(outcome.message, "late-other")) << outcome.message;
}

TEST(LogPath, TellsLinesWithoutAnIdFromSilence) {
  const std::vector<model::LogRecord> anonymous = {line(0, "ui", "r1"), line(30, "api", ""),
                                                   line(40, "api", ""), line(900, "db", "x")};
  auto verification = verify_logs(paths({"ui -> api"}), anonymous, {}, {});
  Outcome outcome = outcome_for(verification, "r1");
  EXPECT_TRUE(contains(outcome.message, "api logged 2 lines without a trace id within 200.0ms"))
      << outcome.message;
  EXPECT_TRUE(contains(outcome.message, "did not read the id, or does not log it"))
      << outcome.message;

  verification = verify_logs(paths({"ui -> db"}), anonymous, {}, {});
  outcome = outcome_for(verification, "r1");
  EXPECT_TRUE(contains(outcome.message,
                       "db logged nothing within 200.0ms after ui's line: the "
                       "call likely never reached it"))
      << outcome.message;

  LogVerifyOptions wide;
  wide.path.window_nanos = 1000 * ms;
  verification = verify_logs(paths({"ui -> db"}), anonymous, {}, wide);
  outcome = outcome_for(verification, "r1");
  EXPECT_TRUE(contains(outcome.message, "db logged 1 other id within 1.00s")) << outcome.message;
}

TEST(LogPath, NamesAServiceThatLoggedNothingAtAll) {
  const auto verification = verify_logs(paths({"ui_iot -> ingset"}), fleet, {}, {});
  const Outcome outcome = outcome_for(verification, "req-ok");
  EXPECT_TRUE(contains(outcome.message,
                       "no log line from 'ingset' at all (the logs have ingest, store, ui_iot)"))
      << outcome.message;
}

TEST(LogPath, OrderMattersUpToTheSkewTolerance) {
  const std::vector<model::LogRecord> skewed = {line(10, "ui", "r1"), line(7, "api", "r1")};
  auto verification =
      verify_logs(paths({"ui -> api"}), skewed, TraceSelector{hex("r1"), {}, {}, {}}, {});
  Outcome outcome = outcome_for(verification, "r1");
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message, "api logged the id only before ui did")) << outcome.message;
  EXPECT_TRUE(contains(outcome.message, "3.0ms earlier")) << outcome.message;
  EXPECT_TRUE(contains(outcome.message, "--skew-tolerance")) << outcome.message;

  LogVerifyOptions tolerant;
  tolerant.path.skew_tolerance_nanos = 5 * ms;
  verification =
      verify_logs(paths({"ui -> api"}), skewed, TraceSelector{hex("r1"), {}, {}, {}}, tolerant);
  EXPECT_TRUE(outcome_for(verification, "r1").passed);
}

TEST(LogPath, AServiceMayAppearTwiceInAPathWithALineForEachHop) {
  const std::vector<model::LogRecord> callback = {line(0, "a", "r"), line(5, "b", "r"),
                                                  line(9, "a", "r")};
  auto verification = verify_logs(paths({"a -> b -> a"}), callback, {}, {});
  EXPECT_TRUE(outcome_for(verification, "r").passed);
  verification = verify_logs(paths({"a -> b -> a -> b"}), callback, {}, {});
  EXPECT_FALSE(outcome_for(verification, "r").passed);

  // One line cannot prove two hops, with or without a tolerance.
  const std::vector<model::LogRecord> once = {line(0, "gw", "q"), line(10, "auth", "q")};
  verification = verify_logs(paths({"gw -> gw -> auth -> auth"}), once, {}, {});
  Outcome outcome = outcome_for(verification, "q");
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message, "never gw: gw logged the id no more after that line"))
      << outcome.message;
  LogVerifyOptions tolerant;
  tolerant.path.skew_tolerance_nanos = 10 * ms;
  verification = verify_logs(paths({"gw -> auth -> gw"}), once, {}, tolerant);
  EXPECT_FALSE(outcome_for(verification, "q").passed);
}

TEST(LogPath, AnIdBeginsWhereItsFirstLineIsWithinTheTolerance) {
  // b's clock runs 2 ms ahead: its line sorts first, yet a is where the id began.
  const std::vector<model::LogRecord> skewed = {line(8, "b", "r2"), line(10, "a", "r2")};
  LogVerifyOptions tolerant;
  tolerant.path.skew_tolerance_nanos = 5 * ms;
  auto verification = verify_logs(paths({"a -> b"}), skewed, {}, tolerant);
  ASSERT_EQ(verification.trails.size(), 1U);
  EXPECT_TRUE(verification.passed());
  EXPECT_TRUE(contains(verification.trails[0].results[0].outcome.message, "-> b (-2.0ms)"))
      << verification.trails[0].results[0].outcome.message;
  // Without the tolerance the id began at b: the check applies to no id, and says so.
  verification = verify_logs(paths({"a -> b"}), skewed, {}, {});
  EXPECT_FALSE(verification.passed());
  ASSERT_EQ(verification.unapplied.size(), 1U);
}

TEST(LogPath, OtherTrafficThatCameThroughItsCallersIsNotTheCalleesOwnIds) {
  // ui handled r1 and r2; ingest logged r2 only: r1 never reached it, and
  // r2 is not an id ingest made up in place of r1.
  const std::vector<model::LogRecord> concurrent = {line(0, "ui", "r1"), line(1, "ui", "r2"),
                                                    line(5, "ingest", "r2")};
  const auto verification =
      verify_logs(paths({"ui -> ingest"}), concurrent, TraceSelector{hex("r1"), {}, {}, {}}, {});
  const Outcome outcome = outcome_for(verification, "r1");
  EXPECT_FALSE(outcome.passed);
  EXPECT_TRUE(contains(outcome.message, "ingest logged nothing within 200.0ms")) << outcome.message;
}

TEST(LogFiles, HoldTheirLimitsAndNeverHoldALongLineWhole) {
  std::istringstream input(std::string(3 << 20, 'x') + "\n" +
                           R"({"ts":"2026-12-07T19:10:00Z","service":"a","trace_id":"r"})" + "\n");
  auto read = read_log_files({"-"}, {}, input);
  ASSERT_TRUE(read) << read.error().text();
  EXPECT_EQ(read->counts.too_long, 1U);
  EXPECT_EQ(read->records.size(), 1U);

  const std::string two = R"({"ts":"2026-12-07T19:10:00Z","service":"a","trace_id":"r"})"
                          "\n"
                          R"({"ts":"2026-12-07T19:10:01Z","service":"a","trace_id":"r"})"
                          "\n";
  LogLimits few;
  few.max_records = 1;
  std::istringstream records(two);
  auto over = read_log_files({"-"}, {}, records, few);
  ASSERT_FALSE(over);
  EXPECT_TRUE(contains(std::string(over.error().text()), "more than 1 log records"))
      << over.error().text();
  LogLimits small;
  small.max_input_bytes = 64;
  std::istringstream bytes(two);
  over = read_log_files({"-"}, {}, bytes, small);
  ASSERT_FALSE(over);
  EXPECT_TRUE(contains(std::string(over.error().text()), "larger than 64 bytes"))
      << over.error().text();
}

TEST(LogSelection, ChecksApplyAsForTraces) {
  // No selection: a path applies to the ids its first service logged first.
  auto verification = verify_logs(paths({"ui_iot -> ingest"}), fleet, {}, {});
  EXPECT_EQ(verification.trails.size(), 2U);  // req-ok and req-lost; ingest's own ids are not
  EXPECT_EQ(verification.failures(), 1U);

  // By root service.
  TraceSelector by_root;
  by_root.root_service = "ingest";
  verification = verify_logs(paths({"ingest -> store"}), fleet, by_root, {});
  EXPECT_EQ(verification.trails.size(), 3U);  // other-1, other-2, late-other

  // An id nobody logged: the check applied to nothing, which fails.
  verification = verify_logs(paths({"ui_iot -> ingest"}), fleet,
                             TraceSelector{hex("never-seen"), {}, {}, {}}, {});
  EXPECT_TRUE(verification.trails.empty());
  ASSERT_EQ(verification.unapplied.size(), 1U);
  EXPECT_EQ(verification.unapplied[0].outcome.message,
            "no log line names trace " + hex("never-seen"));

  // A path from a service that logged no id first.
  verification = verify_logs(paths({"store -> ui_iot"}), fleet, {}, {});
  ASSERT_EQ(verification.unapplied.size(), 1U);
  EXPECT_EQ(verification.unapplied[0].outcome.message,
            "no id in the logs was first logged by store");

  // Only ids first logged after a time.
  LogVerifyOptions recent;
  recent.start_after_unix_nano = base + 50 * ms;
  verification = verify_logs(paths({"ui_iot -> ingest"}), fleet, {}, recent);
  ASSERT_EQ(verification.trails.size(), 1U);
  EXPECT_EQ(verification.trails[0].trail.logged_id, "req-lost");
}

TEST(LogSpec, RefusesWhatOnlySpansCanJudge) {
  struct Row {
    const char* name;
    std::vector<std::string> expectations;
    TraceSelector chosen;
    const char* message;
  };
  TraceSelector by_operation;
  by_operation.root_operation = "POST /x";
  TraceSelector by_attribute;
  by_attribute.attributes = {{"http.route", "/x"}};
  const Row rows[] = {
      {"span_assertion", {"span[service=a] http.response.status_code = 200"}, {}, "service paths"},
      {"transport", {"a -> (mqtt) -> b"}, {}, "drop (mqtt)"},
      {"root_operation", {"a -> b"}, by_operation, "logs have no operations"},
      {"attribute", {"a -> b"}, by_attribute, "no span attributes"},
      {"nothing", {}, {}, "the built-in integrity checks need spans"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    Spec spec = paths(row.expectations);
    if (row.expectations.empty()) spec.checks.clear();
    const auto checked = check_spec_for_logs(spec, row.chosen);
    ASSERT_FALSE(checked.has_value());
    EXPECT_TRUE(contains(std::string(checked.error().text()), row.message))
        << checked.error().text();
  }
  EXPECT_TRUE(check_spec_for_logs(paths({"a -> b", "a ~> c"}), {}).has_value());
}

}  // namespace
}  // namespace tracemesh::verify
