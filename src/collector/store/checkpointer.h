// Copies the store's write-ahead log back into the database file on a thread
// of its own. SQLite's default does this inside the commit that crosses 1,000
// log pages, on the writer thread, where it took an eighth of the writer's
// time under load; here the writer only signals, and a second connection
// checkpoints while the writer goes on committing.
//
// A checkpoint that runs beside a busy writer can never finish the whole log,
// and the log only starts over once it has been finished. So when the log
// passes `max_wal_pages` the writer checkpoints itself after its commit, as
// SQLite's default would: the pages the background thread already copied are
// not copied again, the log is finished and starts over, and its size stays
// bounded. Durability does not change: a commit is on disk in the log (fsync)
// before it is acknowledged, whoever copies it later.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "collector/store/sqlite.h"

namespace tracemesh::collector {

class Checkpointer {
 public:
  // Watch `writer`'s commits (replacing SQLite's automatic checkpoints) and
  // checkpoint the database at `path` from a connection of its own once the
  // log holds `background_pages`; past `max_wal_pages` the writer does it.
  Checkpointer(Database& writer, const std::string& path, std::size_t background_pages,
               std::size_t max_wal_pages);
  ~Checkpointer();  // restores the writer's automatic checkpoints, stops the thread
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

 private:
  static int on_commit(void* self, sqlite3* db, const char* name, int pages);
  void run();

  Database& writer_;
  std::size_t background_pages_;
  std::size_t max_wal_pages_;
  Database connection_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::mutex copying_;  // held by whoever is copying the log into the database
  bool due_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tracemesh::collector
