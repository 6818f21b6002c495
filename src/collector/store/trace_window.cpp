#include "collector/store/trace_window.h"

#include "collector/store/sqlite.h"

namespace tracemesh::collector {

WindowIndex window_index(Database& db, std::uint64_t start, std::uint64_t end) {
  // Where the stored traces begin and end in time, from the ends of the two
  // indexes, skipping the 100 traces at either end: a few with odd clocks
  // (a span dated 2100, or one without a start) do not move the bounds.
  Statement bounds = db.prepare(R"sql(
SELECT (SELECT start_unix_nano FROM traces ORDER BY start_unix_nano LIMIT 1 OFFSET ?1),
  (SELECT last_start_unix_nano FROM traces ORDER BY last_start_unix_nano DESC LIMIT 1 OFFSET ?1))sql");
  bounds.bind(1, std::int64_t{100});
  // Fewer traces than that: either index reads little.
  if (!bounds.step() || bounds.column_is_null(0) || bounds.column_is_null(1)) {
    return WindowIndex::by_last_start;
  }
  const std::int64_t oldest = bounds.column_int(0);
  const std::int64_t newest = bounds.column_int(1);
  // Traces taken as spread evenly over [oldest, newest]: each index reads
  // the traces on one side of the window.
  const auto distance = [](std::int64_t from, std::int64_t to) {
    return to > from ? static_cast<std::uint64_t>(to) - static_cast<std::uint64_t>(from) : 0;
  };
  const std::uint64_t older_than_end = distance(oldest, as_sql_bound(end));
  const std::uint64_t newer_than_start = distance(as_sql_bound(start), newest);
  return older_than_end < newer_than_start ? WindowIndex::by_start : WindowIndex::by_last_start;
}

std::string window_traces_sql(WindowIndex index) {
  // The unary + keeps SQLite off the other index.
  return index == WindowIndex::by_start
             ? "+t.last_start_unix_nano >= ?1 AND t.start_unix_nano <= ?2"
             : "t.last_start_unix_nano >= ?1 AND +t.start_unix_nano <= ?2";
}

std::string with_window(std::string sql, const std::string& window) {
  constexpr std::string_view placeholder = "{window}";
  for (std::size_t at = sql.find(placeholder); at != std::string::npos;
       at = sql.find(placeholder, at + window.size())) {
    sql.replace(at, placeholder.size(), window);
  }
  return sql;
}

}  // namespace tracemesh::collector
