#include "collector/store/retention.h"

#include <string>
#include <vector>

#include "collector/store/span_rows.h"

namespace tracemesh::collector {

Retention::Retention(Database& db, ArrivingTraces& arriving, std::chrono::nanoseconds max_age,
                     std::uint64_t max_bytes)
    : db_(db), arriving_(arriving), max_age_(max_age), max_bytes_(max_bytes) {}

std::size_t Retention::apply(std::uint64_t now_unix_nano) {
  constexpr int batch = 500;
  std::size_t expired = 0;
  try {
    const auto max_age = static_cast<std::uint64_t>(max_age_.count());
    if (max_age > 0 && now_unix_nano > max_age) {
      Statement old =
          db_.prepare("SELECT trace_id FROM traces WHERE last_received_unix_nano < ?1 LIMIT ?2");
      old.bind(1, as_sql(now_unix_nano - max_age)).bind(2, batch);
      expired += delete_traces(old);
      // Log records of ids that have no spans age on their own, up to
      // 200,000 a pass (a gateway logging ids at a few thousand a second).
      Statement logs = db_.prepare(
          "DELETE FROM logs WHERE rowid IN (SELECT rowid FROM logs WHERE received_unix_nano < ?1 "
          "ORDER BY received_unix_nano LIMIT ?2)");
      for (int round = 0; round < 40; ++round) {
        logs.bind(1, as_sql(now_unix_nano - max_age)).bind(2, std::int64_t{batch} * 10);
        logs.run();
        if (sqlite3_changes(db_.handle()) < batch * 10) break;
      }
    }
    // Over the size limit: whichever is older goes first, traces (with their
    // logs) or log records of ids that have no spans.
    for (int round = 0; max_bytes_ > 0 && round < 100 && used_bytes() > max_bytes_; ++round) {
      if (oldest_log_first()) {
        if (!delete_oldest_logs(batch * 10)) break;
        continue;
      }
      Statement oldest =
          db_.prepare("SELECT trace_id FROM traces ORDER BY last_received_unix_nano LIMIT ?1");
      oldest.bind(1, batch / 10);
      const std::size_t deleted = delete_traces(oldest);
      if (deleted == 0 && !delete_oldest_logs(batch * 10)) break;
      expired += deleted;
    }
  } catch (const SqliteError&) {
    try {
      db_.execute("ROLLBACK");
    } catch (const SqliteError&) {
    }
  }
  return expired;
}

// Delete the traces of `selected` (a statement returning trace ids) with
// their spans, broken hops and log records; return how many were deleted.
std::size_t Retention::delete_traces(Statement& selected) {
  std::vector<std::string> ids;
  while (selected.step()) ids.emplace_back(selected.column_blob(0));
  if (ids.empty()) return 0;
  Statement spans = db_.prepare("DELETE FROM spans WHERE trace_id = ?1");
  Statement hops = db_.prepare("DELETE FROM broken_hops WHERE caller_trace_id = ?1");
  Statement trace = db_.prepare("DELETE FROM traces WHERE trace_id = ?1");
  Statement logs = db_.prepare("DELETE FROM logs WHERE trace_id = ?1");
  db_.execute("BEGIN IMMEDIATE");
  for (const std::string& id : ids) {
    for (Statement* statement : {&spans, &hops, &trace, &logs}) {
      statement->bind_blob(1, id.data(), id.size());
      statement->run();
    }
  }
  db_.execute("COMMIT");
  for (const std::string& id : ids) arriving_.erase(id_from_blob<TraceId>(id));
  return ids.size();
}

bool Retention::oldest_log_first() {
  Statement oldest = db_.prepare(
      "SELECT (SELECT min(received_unix_nano) FROM logs), "
      "(SELECT min(last_received_unix_nano) FROM traces)");
  if (!oldest.step() || oldest.column_is_null(0)) return false;
  return oldest.column_is_null(1) || oldest.column_int(0) < oldest.column_int(1);
}

bool Retention::delete_oldest_logs(int count) {
  Statement logs = db_.prepare(
      "DELETE FROM logs WHERE rowid IN (SELECT rowid FROM logs ORDER BY received_unix_nano "
      "LIMIT ?1)");  // logs_by_received
  logs.bind(1, count);
  logs.run();
  return sqlite3_changes(db_.handle()) > 0;
}

std::uint64_t Retention::used_bytes() {
  Statement pages = db_.prepare(
      "SELECT (SELECT page_count FROM pragma_page_count()) - "
      "(SELECT freelist_count FROM pragma_freelist_count()), "
      "(SELECT page_size FROM pragma_page_size())");
  return pages.step() ? static_cast<std::uint64_t>(pages.column_int(0) * pages.column_int(1)) : 0;
}

}  // namespace tracemesh::collector
