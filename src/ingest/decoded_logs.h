// What the OTLP log decoders (protobuf, JSON) hand the collector: the log
// records of one request that name a trace, how many named none, and how
// many were rejected and why (OTLP's partial success, as for spans).
//
// A record names a trace by its trace_id field or, for fleets that carry an
// id by hand, by an attribute under one of the usual trace id names
// (x_trace_id, request_id...: json_log_lines.h), mapped as the SDKs map a
// legacy id header. The collector keeps trace evidence, not logs: a record
// that names no trace is counted and dropped.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/log_record.h"

namespace tracemesh::ingest {

struct DecodedLogs {
  std::vector<model::LogRecord> records;  // those naming a trace
  std::size_t unlinked = 0;               // valid, but naming no trace (not kept)
  std::size_t rejected = 0;
  std::string rejection_message;  // the first rejection's reason, with the record's position

  // Count one rejected record; keep the first reason.
  void reject(std::string_view reason);
  // Keep `record` when it names a trace (count it as unlinked otherwise).
  void keep(model::LogRecord record);
};

// "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL" for an OTLP
// SeverityNumber (1 to 24); "" for 0 and anything else.
std::string_view severity_name(int severity_number) noexcept;

// When `record` names no trace and attribute `key` is a usual trace id name
// holding `value`, name the trace it maps to.
void note_log_attribute(model::LogRecord& record, std::string_view key, std::string_view value);

}  // namespace tracemesh::ingest
