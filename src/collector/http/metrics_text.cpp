#include "collector/http/metrics_text.h"

#include <cstdint>

namespace tracemesh::collector {
namespace {

void metric(std::string& out, const char* name, const char* type, const char* help,
            std::uint64_t value) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
  out += name;
  out += ' ';
  out += std::to_string(value);
  out += '\n';
}

}  // namespace

std::string prometheus_label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\\' || c == '"') out += '\\';
    out += c;
  }
  return out;
}

std::string metrics_text(
    const IngestCounters& counters, const StoreStats& stats,
    const std::vector<std::pair<std::string, std::int64_t>>& traces_by_integrity) {
  std::string out;
  metric(out, "tracemesh_ingest_requests_total", "counter", "OTLP export requests received.",
         counters.requests);
  metric(out, "tracemesh_spans_received_total", "counter", "Valid spans decoded from requests.",
         counters.spans_received);
  metric(out, "tracemesh_spans_rejected_total", "counter",
         "Invalid spans refused by partial success.", counters.spans_rejected);
  metric(out, "tracemesh_spans_stored_total", "counter", "Spans committed to the store.",
         stats.spans_stored);
  metric(out, "tracemesh_spans_deduplicated_total", "counter",
         "Redelivered spans already stored (not stored again).", stats.spans_duplicate);
  out +=
      "# HELP tracemesh_ingest_refused_total Export requests refused (OTLP/HTTP, OTLP/gRPC, "
      "Zipkin), by reason: malformed (400, INVALID_ARGUMENT), too_large (413), throttled "
      "(429/503, RESOURCE_EXHAUSTED/UNAVAILABLE with a retry delay), unauthorized (401, "
      "UNAUTHENTICATED).\n# TYPE tracemesh_ingest_refused_total counter\n";
  for (const auto& [reason, count] :
       {std::pair{"malformed", counters.requests_malformed.load()},
        std::pair{"too_large", counters.requests_too_large.load()},
        std::pair{"throttled", counters.requests_throttled.load()},
        std::pair{"unauthorized", counters.requests_unauthorized.load()}}) {
    out += std::string("tracemesh_ingest_refused_total{reason=\"") + reason + "\"} " +
           std::to_string(count) + "\n";
  }
  metric(out, "tracemesh_metrics_requests_dropped_total", "counter",
         "OTLP metrics exports answered 200 and dropped (the collector keeps traces only).",
         counters.metrics_requests_dropped);
  metric(out, "tracemesh_log_records_received_total", "counter",
         "Log records naming a trace, received to be stored.", counters.log_records_received);
  metric(out, "tracemesh_log_records_unlinked_total", "counter",
         "Valid log records naming no trace (not kept).", counters.log_records_unlinked);
  metric(out, "tracemesh_log_records_rejected_total", "counter",
         "Invalid log records (partial success).", counters.log_records_rejected);
  metric(out, "tracemesh_log_file_lines_total", "counter", "Lines read from --log-file files.",
         counters.log_file_lines);
  metric(out, "tracemesh_log_file_lines_skipped_total", "counter",
         "Lines of --log-file files skipped (not JSON, no time or service, too long).",
         counters.log_file_lines_skipped);
  metric(out, "tracemesh_log_file_rotations_total", "counter",
         "--log-file files seen replaced (rotated) or truncated.", counters.log_file_rotations);
  metric(out, "tracemesh_log_file_errors_total", "counter",
         "--log-file paths that could not be followed (not a regular file, no permission).",
         counters.log_file_errors);
  metric(out, "tracemesh_log_records_stored_total", "counter", "Log records committed.",
         stats.log_records_stored);
  metric(out, "tracemesh_write_queue_spans", "gauge", "Spans waiting for the store's writer.",
         stats.queued_spans);
  out +=
      "# HELP tracemesh_write_transaction_seconds Time to commit one write transaction.\n"
      "# TYPE tracemesh_write_transaction_seconds summary\n"
      "tracemesh_write_transaction_seconds_sum ";
  out += std::to_string(static_cast<double>(stats.write_nanos_total) / 1e9);
  out += "\ntracemesh_write_transaction_seconds_count ";
  out += std::to_string(stats.transactions);
  out += '\n';
  metric(out, "tracemesh_traces_settled_total", "counter",
         "Traces judged after their grace period.", stats.traces_settled);
  metric(out, "tracemesh_traces_settled_from_memory_total", "counter",
         "Traces judged from the spans held in memory rather than read back from the store.",
         stats.traces_settled_from_memory);
  metric(out, "tracemesh_traces_expired_total", "counter",
         "Traces deleted by retention (age or size).", stats.traces_expired);
  out +=
      "# HELP tracemesh_traces Stored traces by integrity state.\n# TYPE tracemesh_traces gauge\n";
  for (const auto& [state, count] : traces_by_integrity) {
    out += "tracemesh_traces{integrity=\"" + state + "\"} " + std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace tracemesh::collector
