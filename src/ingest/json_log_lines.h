// Reading JSON-lines logs into log records: one JSON object a line, as
// structured loggers write them, also behind `docker compose logs` prefixes
// ("ingest-1  | {...}", with or without colours and --timestamps) or a
// `docker logs --timestamps` time. Fields are found by their usual names
// (docs/verify.md lists them) or by the names given; a dotted name is a flat
// key ("trace.id") or a path into nested objects ({"trace": {"id": ...}}).
//
// Lines that are not JSON objects, or that lack a time or a service, are
// skipped and counted, never fatal: logs interleave stack traces, banners
// and other processes' output. A line naming no trace id is still a record:
// that a service was busy without logging an id is part of the evidence.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model/log_record.h"

namespace tracemesh::ingest {

// Lines longer than this are skipped (counted as too long).
inline constexpr std::size_t max_log_line_bytes = 1 << 20;
// A record's message is kept up to this many bytes (then cut, with "…").
inline constexpr std::size_t max_log_body_bytes = std::size_t{16} << 10;

// Cut `body` to max_log_body_bytes at a UTF-8 character boundary, with "…".
void cap_log_body(std::string& body);

// Field names to read instead of the usual ones; empty: the usual ones.
struct LogFieldNames {
  std::string trace;
  std::string service;
  std::string time;
};

// What became of each line.
struct LogLineCounts {
  std::size_t lines = 0;          // every line, blank ones included
  std::size_t records = 0;        // became a record
  std::size_t with_trace_id = 0;  // records naming a trace id
  std::size_t blank = 0;
  std::size_t not_json = 0;    // not a JSON object (skipped)
  std::size_t no_time = 0;     // no readable time (skipped)
  std::size_t no_service = 0;  // no service field, compose prefix or default (skipped)
  std::size_t too_long = 0;    // over max_log_line_bytes (skipped)

  std::size_t skipped() const noexcept { return not_json + no_time + no_service + too_long; }
  LogLineCounts& operator+=(const LogLineCounts& other) noexcept;
};

class JsonLogReader {
 public:
  // `default_service` names the service of lines that name none (a file's
  // service given on the command line); empty: such lines are skipped.
  explicit JsonLogReader(LogFieldNames names = {}, std::string default_service = {});

  // Read one line (without its newline); nullopt when it is skipped, with
  // the reason counted in `counts`. `source` is stored in the record.
  std::optional<model::LogRecord> read(std::string_view line, std::string source,
                                       LogLineCounts& counts) const;

 private:
  LogFieldNames names_;
  std::string default_service_;
};

// The trace id a logged value names: a W3C traceparent's trace id, or the
// value mapped as a legacy id header's (32 hex digits, a UUID, any other
// text). Nullopt for placeholders that name no request ("-", "null",
// "none", "undefined", "unknown", "n/a"), an all-zero id, or text a legacy
// header could not carry.
std::optional<TraceId> logged_trace_id(std::string_view value) noexcept;

// A log input named on a command line as PATH[:SERVICE]: the text after the
// last colon names the service of lines that name none, unless `exists`
// (the whole argument is a file) or that text has a '/', '\\' or '.'
// ("app-10:00.log" stays a file name).
struct LogSource {
  std::string path;
  std::string service;  // empty: none named
};
LogSource split_log_source(const std::string& argument, bool exists);

// Whether `key` is one of the usual names of a trace id field (docs/verify.md).
bool is_trace_id_field(std::string_view key) noexcept;

}  // namespace tracemesh::ingest
