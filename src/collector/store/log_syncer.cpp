#include "collector/store/log_syncer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace tracemesh::collector {

LogSyncer::LogSyncer(std::string log_path, Synced synced)
    : log_path_(std::move(log_path)), synced_(std::move(synced)) {
  thread_ = std::thread([this] { run(); });
}

LogSyncer::~LogSyncer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

void LogSyncer::committed(std::uint64_t sequence) {
  {
    std::lock_guard lock(mutex_);
    committed_ = sequence;
  }
  wake_.notify_one();
}

std::string LogSyncer::sync() {
  if (!failure_.empty()) return failure_;
  failure_ = sync_once();
  return failure_;
}

std::string LogSyncer::sync_once() {
  if (fd_ < 0) {
    fd_ = ::open(log_path_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
      return "cannot open the write-ahead log " + log_path_ + ": " + std::strerror(errno);
    }
  }
  int result = 0;
  do {
    result = ::fdatasync(fd_);
  } while (result != 0 && errno == EINTR);
  if (result != 0) {
    return "cannot sync the write-ahead log " + log_path_ + ": " + std::strerror(errno);
  }
  return {};
}

void LogSyncer::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return committed_ > reported_ || stopping_; });
    if (committed_ == reported_) return;  // stopping, and nothing left to report
    // Everything written so far: one sync covers every commit handed over.
    const std::uint64_t through = committed_;
    lock.unlock();
    const std::string error = sync();
    synced_(through, error);
    lock.lock();
    reported_ = through;
  }
}

}  // namespace tracemesh::collector
