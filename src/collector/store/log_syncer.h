// Makes the writer's commits durable on a thread of its own (group commit).
//
// The writer's connection runs with synchronous = NORMAL: a commit writes its
// pages to the write-ahead log and returns without waiting for the disk. The
// writer then hands the commit's sequence number here and goes on with the
// next transaction, while this thread calls fdatasync on the log, once for
// every commit handed over meanwhile, and only then reports them synced, so
// that they can be acknowledged. Under load this overlaps the disk flush (a
// tenth of the writer's time when the writer waited for it in each commit)
// with the next transaction.
//
// Durability is what synchronous = FULL gave: a commit reported synced is in
// the log on disk. A checkpoint may copy it into the database file first;
// SQLite syncs the log before each checkpoint and the database after a
// complete one, and the log starts over only after a complete checkpoint, so
// the commit is on disk in one file or the other whichever happens first.
// (Unlike FULL, other connections may read a commit before it is synced.)
//
// A failed sync is final: Linux reports a write-back error once, so a later
// sync of the same file could succeed without the lost pages, and recovery
// after a crash would stop at them. Every commit from then on is reported
// with the first error, and the store refuses writes until it is reopened.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace tracemesh::collector {

class LogSyncer {
 public:
  // Called on the syncer's thread: every commit numbered up to `through` is
  // on disk, or, when `error` is not empty, could not be made so (then every
  // later report carries the same error).
  using Synced = std::function<void(std::uint64_t through, const std::string& error)>;

  // Sync the file at `log_path` (opened at the first sync, when SQLite has
  // created it) and report to `synced`.
  LogSyncer(std::string log_path, Synced synced);
  ~LogSyncer();  // syncs and reports every commit handed over, then stops
  LogSyncer(const LogSyncer&) = delete;
  LogSyncer& operator=(const LogSyncer&) = delete;

  // Note that commit `sequence` (increasing) was written to the log.
  void committed(std::uint64_t sequence);

 private:
  void run();
  std::string sync();       // "" when synced, else the first failure (kept)
  std::string sync_once();  // "" when synced, else what failed

  std::string log_path_;
  Synced synced_;
  int fd_ = -1;
  std::string failure_;  // the first sync error, kept (syncer thread only)
  std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t committed_ = 0;  // the latest sequence handed over
  std::uint64_t reported_ = 0;   // the latest sequence reported
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tracemesh::collector
