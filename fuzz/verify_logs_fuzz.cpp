// Fuzz the log reader (JSON lines behind compose prefixes, every field alias,
// RFC 3339 and epoch times) and the log path check on what it reads: never
// crash; every line is counted exactly once; a time that parses formats back
// to itself.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "ingest/json_log_lines.h"
#include "model/timestamp.h"
#include "verify/log_verification.h"

namespace {

void check(bool holds) {
  if (!holds) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace tracemesh;
  std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  const ingest::JsonLogReader reader({}, size % 2 == 0 ? "fallback" : "");
  ingest::LogLineCounts counts;
  std::vector<model::LogRecord> records;
  std::size_t lines = 0;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    ++lines;
    if (auto time = model::parse_timestamp(line)) {
      check(model::parse_timestamp(model::format_timestamp(*time, true)) == time);
    }
    if (auto record = reader.read(line, "fuzz", counts)) records.push_back(std::move(*record));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  }
  check(counts.lines == lines);
  check(counts.records + counts.blank + counts.skipped() == lines);
  check(counts.records == records.size());

  verify::Spec spec;
  verify::Check path_check;
  path_check.name = "fuzz";
  verify::SyntaxError error;
  path_check.expectations.push_back(*verify::parse_expectation("a -> b ~> a", error));
  spec.checks.push_back(std::move(path_check));
  const auto verification = verify::verify_logs(spec, records, {}, {});
  check(verification.expectations() >= verification.failures());
  return 0;
}
