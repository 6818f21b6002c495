// How a query finds the spans of a time window through their traces: a span
// that starts in [start, end] belongs to a trace whose first span starts by
// `end` and whose last starts from `start`. The graph's and the hops'
// queries read traces first (CROSS JOIN fixes the order) through the index
// window_index() picks, then their spans by id.
#pragma once

#include <cstdint>
#include <string>

namespace tracemesh::collector {

class Database;

// traces_by_last_start reads every trace newer than the window's start
// (narrow for recent windows, the common case); traces_by_start every trace
// older than its end (narrow for windows far in the past). The one whose
// side of the window holds less of the stored time range is used. Throws
// SqliteError.
enum class WindowIndex { by_last_start, by_start };
WindowIndex window_index(Database& db, std::uint64_t start_unix_nano, std::uint64_t end_unix_nano);

// The condition on the window's traces (alias t, bounds ?1 and ?2) that
// reads them through `index`.
std::string window_traces_sql(WindowIndex index);

// `sql` with every {window} replaced by `window` (a window_traces_sql()).
std::string with_window(std::string sql, const std::string& window);

}  // namespace tracemesh::collector
