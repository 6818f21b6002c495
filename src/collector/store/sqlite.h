// A thin RAII layer over the SQLite C API for the store: a connection and
// prepared statements with bound parameters (the only way SQL gets values).
// Errors are thrown as SqliteError inside the store and turned into values
// at its boundary.
#pragma once

#include <sqlite3.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tracemesh::collector {

struct SqliteError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Statement;

// Return a uint64 (Unix nanoseconds, durations) as SQLite's signed INTEGER;
// values stay exact below 2^63 (the year 2262).
inline std::int64_t as_sql(std::uint64_t value) {
  return static_cast<std::int64_t>(value);
}

// A query's bound on stored times or durations: past 2^63-1 it is 2^63-1
// (nothing stored is later or longer) instead of turning negative.
inline std::int64_t as_sql_bound(std::uint64_t value) {
  return as_sql(std::min<std::uint64_t>(value, std::numeric_limits<std::int64_t>::max()));
}

class Database {
 public:
  // Open (creating when `create`) the database file at `path`.
  Database(const std::string& path, bool create);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Run one or more statements that take no parameters.
  void execute(const char* sql);
  Statement prepare(std::string_view sql);
  // Return the rows the last statement inserted, updated or deleted.
  int changes() const noexcept;
  sqlite3* handle() const noexcept { return db_; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Bind parameter `index` (1-based); returns *this for chaining.
  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, const void* data, std::size_t size);
  // Bind without a copy: the bytes must stay alive and unchanged until the
  // statement is reset (run() resets). For the writer's hot insert.
  Statement& bind_unowned(int index, std::string_view text);
  Statement& bind_blob_unowned(int index, const void* data, std::size_t size);
  Statement& bind_null(int index);

  // Step once: true when a row is available, false when done.
  bool step();
  // Step to completion (for statements that return no rows) and reset.
  void run();
  // Clear bindings and rewind for reuse.
  void reset() noexcept;

  std::int64_t column_int(int index) const noexcept;
  std::string column_text(int index) const;
  std::string_view column_blob(int index) const noexcept;
  bool column_is_null(int index) const noexcept;

 private:
  // SQLITE_TRANSIENT (SQLite copies) or SQLITE_STATIC (the caller keeps the bytes).
  Statement& bind_text(int index, std::string_view text, sqlite3_destructor_type lifetime);
  Statement& bind_bytes(int index, const void* data, std::size_t size,
                        sqlite3_destructor_type lifetime);

  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

}  // namespace tracemesh::collector
