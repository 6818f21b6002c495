#include "collector/store/sqlite.h"

#include <utility>

namespace tracemesh::collector {
namespace {

[[noreturn]] void fail(sqlite3* db, std::string_view what) {
  throw SqliteError(std::string(what) + ": " +
                    (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

// Process-wide settings, applied once before the library's first use (after
// that sqlite3_config refuses them). Memory statistics are off: counting every
// allocation takes a global mutex in each sqlite3_malloc and sqlite3_free,
// about 5 % of the writer's time under load, and nothing here reads them. If
// something in the process used SQLite first, sqlite3_config refuses
// (SQLITE_MISUSE) and the statistics stay on: slower, nothing else.
void configure_library() {
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return sqlite3_initialize() == SQLITE_OK;
  }();
  (void)configured;
}

}  // namespace

Database::Database(const std::string& path, bool create) {
  configure_library();
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message =
        "cannot open " + path + ": " + (db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory");
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(message);
  }
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() {
  sqlite3_close_v2(db_);
}

void Database::execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw SqliteError(message);
  }
}

Statement Database::prepare(std::string_view sql) {
  return Statement(db_, sql);
}

int Database::changes() const noexcept {
  return sqlite3_changes(db_);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                         &statement_, nullptr) != SQLITE_OK) {
    fail(db, "prepare " + std::string(sql.substr(0, 60)));
  }
}

Statement::~Statement() {
  sqlite3_finalize(statement_);
}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), statement_(std::exchange(other.statement_, nullptr)) {}

Statement& Statement::bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(statement_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view text,
                                sqlite3_destructor_type lifetime) {
  if (sqlite3_bind_text64(statement_, index, text.data(), text.size(), lifetime, SQLITE_UTF8) !=
      SQLITE_OK) {
    fail(db_, "bind");
  }
  return *this;
}

Statement& Statement::bind_bytes(int index, const void* data, std::size_t size,
                                 sqlite3_destructor_type lifetime) {
  if (sqlite3_bind_blob64(statement_, index, data, size, lifetime) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
  return bind_text(index, text, SQLITE_TRANSIENT);
}

Statement& Statement::bind_blob(int index, const void* data, std::size_t size) {
  return bind_bytes(index, data, size, SQLITE_TRANSIENT);
}

Statement& Statement::bind_unowned(int index, std::string_view text) {
  return bind_text(index, text, SQLITE_STATIC);
}

Statement& Statement::bind_blob_unowned(int index, const void* data, std::size_t size) {
  return bind_bytes(index, data, size, SQLITE_STATIC);
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(statement_, index) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

bool Statement::step() {
  const int result = sqlite3_step(statement_);
  if (result == SQLITE_ROW) return true;
  if (result == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Statement::run() {
  while (step()) {
  }
  reset();
}

void Statement::reset() noexcept {
  sqlite3_reset(statement_);
  sqlite3_clear_bindings(statement_);
}

std::int64_t Statement::column_int(int index) const noexcept {
  return sqlite3_column_int64(statement_, index);
}

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(statement_, index);
  return text != nullptr
             ? std::string(reinterpret_cast<const char*>(text),  // NOLINT
                           static_cast<std::size_t>(sqlite3_column_bytes(statement_, index)))
             : std::string();
}

std::string_view Statement::column_blob(int index) const noexcept {
  const void* data = sqlite3_column_blob(statement_, index);
  return data != nullptr
             ? std::string_view(static_cast<const char*>(data),
                                static_cast<std::size_t>(sqlite3_column_bytes(statement_, index)))
             : std::string_view();
}

bool Statement::column_is_null(int index) const noexcept {
  return sqlite3_column_type(statement_, index) == SQLITE_NULL;
}

}  // namespace tracemesh::collector
