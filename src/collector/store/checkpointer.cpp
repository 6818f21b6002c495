#include "collector/store/checkpointer.h"

namespace tracemesh::collector {

Checkpointer::Checkpointer(Database& writer, const std::string& path, std::size_t background_pages,
                           std::size_t max_wal_pages)
    : writer_(writer),
      background_pages_(background_pages),
      max_wal_pages_(max_wal_pages),
      connection_(path, false) {
  // The copy is made durable before the log is reused.
  connection_.execute("PRAGMA synchronous = FULL");
  // A connection checkpoints only once it has opened the log, which a first read does.
  connection_.execute("SELECT count(*) FROM sqlite_schema");
  thread_ = std::thread([this] { run(); });
  sqlite3_wal_hook(writer_.handle(), &Checkpointer::on_commit, this);
}

Checkpointer::~Checkpointer() {
  constexpr int sqlite_default_pages = 1000;
  sqlite3_wal_autocheckpoint(writer_.handle(), sqlite_default_pages);  // also removes on_commit
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

// Called by SQLite on the writer thread after each commit, with the pages now in the log.
int Checkpointer::on_commit(void* self, sqlite3* db, const char* name, int pages) {
  auto& checkpointer = *static_cast<Checkpointer*>(self);
  const auto in_log = static_cast<std::size_t>(pages);
  if (in_log >= checkpointer.max_wal_pages_) {
    // Wait for a copy the thread has under way (a passive checkpoint beside it
    // would return SQLITE_BUSY at once, and the log would go on growing while
    // the machine is busy), then finish the log. Whatever the result (a reader
    // still holding old pages), the next commit retries.
    const std::lock_guard copying(checkpointer.copying_);
    sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (in_log >= checkpointer.background_pages_) {
    {
      std::lock_guard lock(checkpointer.mutex_);
      checkpointer.due_ = true;
    }
    checkpointer.wake_.notify_one();
  }
  return SQLITE_OK;
}

void Checkpointer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never waits for the writer.
    {
      const std::lock_guard copying(copying_);
      sqlite3_wal_checkpoint_v2(connection_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                nullptr);
    }
    lock.lock();
  }
}

}  // namespace tracemesh::collector
