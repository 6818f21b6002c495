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
// its start; a file that shrank (copytruncate) is read again from its start.
// Only complete lines are read; a store that refuses (queue full, failing
// disk) is retried at the next poll from the same offset.
#pragma once

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
  // Read what `file` holds past its offset; false when the store refused.
  bool read_new_lines(File& file);

  SpanStore& store_;
  IngestCounters& counters_;
  std::vector<std::unique_ptr<File>> files_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// Parse "PATH[:SERVICE]" as --log-file takes it: the text after the last
// colon is the service when the whole argument is not an existing path.
LogFileSource parse_log_file_argument(const std::string& argument);

}  // namespace tracemesh::collector
