// `tracemesh collect --log-file PATH[:SERVICE]`: JSON-lines log files
// followed as they grow, as `tail -F` follows them, their lines that name a
// trace stored as log records (ingest/json_log_lines.h reads them; SERVICE
// names the service of lines that name none).
//
// How far each file was read is committed with the records read from it
// (SpanStore::write_logs), so a restarted collector resumes where the
// committed records end: nothing twice, nothing lost while it was down, as
// long as the file was not replaced meanwhile. A file is told from its
// successor by device and inode: when the path names a new file (rotation
// by rename), the old one is read to its end first, then the new one from
// its start, once the old one has stopped growing (its last line read even
// without a newline); a file that shrank, or whose first bytes changed
// (copytruncate, a file rewritten in place), is read again from its start.
// Only complete lines are read, and only regular files (a FIFO or a
// directory is counted as an error, as is a file that cannot be opened; a
// missing one is waited for). A store that refuses (queue full, failing
// disk) is retried at the next poll from the same offset.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "collector/http/ingest_counters.h"
#include "collector/store/span_store.h"
#include "ingest/json_log_lines.h"

namespace tracemesh::collector {

struct LogFileSource {
  std::string path;
  std::string service;  // for lines that name none; empty: such lines are skipped
};

class LogTailer {
 public:
  // Start following `sources` on a thread of its own, every `interval`,
  // counting in `counters` (log_file_*, log_records_received). An interval
  // of 0 starts no thread: the owner calls poll() (tests).
  LogTailer(SpanStore& store, IngestCounters& counters, std::vector<LogFileSource> sources,
            std::chrono::milliseconds interval = std::chrono::milliseconds(200));
  ~LogTailer();  // stops following; what was committed stays committed
  LogTailer(const LogTailer&) = delete;
  LogTailer& operator=(const LogTailer&) = delete;

  // One pass over every file (the thread calls it; tests may too).
  void poll();

  struct File;

 private:
  void run();
  void follow(File& file);
  // Open `file` at its committed offset (when it is the same file); false
  // when it cannot be opened now.
  bool open(File& file);
  void note_error(File& file);
  // Start `file` over when it was cut or rewritten in place.
  void restart_if_rewritten(File& file);
  // Read what `file` holds past its offset; false when the store refused.
  bool read_new_lines(File& file);
  // Read a rotated file's last line, which has no newline.
  bool read_last_line(File& file);
  // Store the records of the complete lines of `buffer` (read at the file's
  // offset, its last `added` bytes not in the file) with the new offset;
  // false when the store refused.
  bool commit_lines(File& file, const std::string& buffer, std::size_t added = 0);

  SpanStore& store_;
  IngestCounters& counters_;
  std::vector<std::unique_ptr<File>> files_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{
      false};  // also read between chunks: a backlog does not hold up a stop
  std::thread thread_;
};

// Parse "PATH[:SERVICE]" as --log-file takes it (ingest::split_log_source),
// the path made canonical so that one file named two ways is followed once.
LogFileSource parse_log_file_argument(const std::string& argument);

}  // namespace tracemesh::collector
