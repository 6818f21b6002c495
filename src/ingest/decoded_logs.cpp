#include "ingest/decoded_logs.h"

#include "ingest/json_log_lines.h"

namespace tracemesh::ingest {

void DecodedLogs::reject(std::string_view reason) {
  if (rejected++ == 0) rejection_message = std::string(reason);
}

void DecodedLogs::keep(model::LogRecord record) {
  if (!record.has_trace_id()) {
    ++unlinked;
    return;
  }
  cap_log_body(record.body);
  records.push_back(std::move(record));
}

std::string_view severity_name(int severity_number) noexcept {
  static constexpr std::string_view names[] = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"};
  if (severity_number < 1 || severity_number > 24) return {};
  return names[(severity_number - 1) / 4];
}

void note_log_attribute(model::LogRecord& record, std::string_view key, std::string_view value) {
  if (record.has_trace_id() || !is_trace_id_field(key)) return;
  if (const auto trace_id = logged_trace_id(value)) {
    record.trace_id = *trace_id;
    record.logged_id = std::string(value);
  }
}

}  // namespace tracemesh::ingest
