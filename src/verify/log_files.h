// Log records read from JSON-lines files or standard input, for
// `tracemesh verify --logs`: each argument is a path, `-` for standard
// input, or PATH:SERVICE to name the service of lines that name none.
// Lines the reader cannot use are skipped and counted (ingest/json_log_lines.h).
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

#include "ingest/json_log_lines.h"
#include "model/log_record.h"
#include "tracemesh/expected.h"

namespace tracemesh::verify {

struct LogLimits {
  std::size_t max_input_bytes = std::size_t{512} << 20;  // per input
  std::size_t max_records = 5'000'000;                   // over all inputs
};

struct LogInput {
  std::vector<model::LogRecord> records;  // in reading order
  ingest::LogLineCounts counts;
  std::size_t files = 0;
};

// A --logs argument: `-` (standard input), or PATH[:SERVICE]
// (ingest::split_log_source, the path tested for existence).
ingest::LogSource parse_log_source(const std::string& argument);

// Read every source in order, holding at most one line of
// ingest::max_log_line_bytes at a time (longer lines are skipped and
// counted). An Error (io_error, invalid_input) names an unreadable file, one
// over the size limit, or more records than the limit: a check must not pass
// on logs that were cut short.
Expected<LogInput> read_log_files(const std::vector<std::string>& arguments,
                                  const ingest::LogFieldNames& names, std::istream& standard_input,
                                  const LogLimits& limits = {});

}  // namespace tracemesh::verify
