#include "collector/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

namespace tracemesh::collector {
namespace {

constexpr std::size_t read_chunk = 1 << 20;
constexpr std::size_t max_records_per_write = 20'000;

struct Identity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
};

std::optional<Identity> identity_of_path(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return Identity{static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
                  static_cast<std::uint64_t>(info.st_size)};
}

std::optional<Identity> identity_of_descriptor(int descriptor) {
  struct stat info {};
  if (::fstat(descriptor, &info) != 0) return std::nullopt;
  return Identity{static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
                  static_cast<std::uint64_t>(info.st_size)};
}

}  // namespace

struct LogTailer::File {
  LogFileSource source;
  ingest::JsonLogReader reader;
  int descriptor = -1;
  Identity identity;
  std::uint64_t offset = 0;  // after the last complete line committed
  bool skipping_long_line = false;

  explicit File(LogFileSource source_in)
      : source(std::move(source_in)), reader({}, source.service) {}
  ~File() { close(); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  void close() {
    if (descriptor >= 0) ::close(descriptor);
    descriptor = -1;
  }
};

LogFileSource parse_log_file_argument(const std::string& argument) {
  std::error_code error;
  const std::size_t colon = argument.rfind(':');
  if (colon == std::string::npos || std::filesystem::exists(argument, error)) return {argument, {}};
  const std::string service = argument.substr(colon + 1);
  if (service.empty() || service.find('/') != std::string::npos) return {argument, {}};
  return {argument.substr(0, colon), service};
}

LogTailer::LogTailer(SpanStore& store, IngestCounters& counters, std::vector<LogFileSource> sources,
                     std::chrono::milliseconds interval)
    : store_(store), counters_(counters), interval_(interval) {
  for (LogFileSource& source : sources) {
    files_.push_back(std::make_unique<File>(std::move(source)));
  }
  if (interval_.count() > 0) thread_ = std::thread([this] { run(); });
}

LogTailer::~LogTailer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void LogTailer::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    poll();
    lock.lock();
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

void LogTailer::poll() {
  for (const auto& file : files_) follow(*file);
}

void LogTailer::follow(File& file) {
  if (file.descriptor < 0) {
    file.descriptor = ::open(file.source.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (file.descriptor < 0) return;  // not there yet: look again next time
    const auto identity = identity_of_descriptor(file.descriptor);
    if (!identity) {
      file.close();
      return;
    }
    file.identity = *identity;
    file.offset = 0;
    // Resume where the committed records end, if this is the same file.
    const auto committed = store_.file_offset(file.source.path);
    if (committed && *committed && (*committed)->device == identity->device &&
        (*committed)->inode == identity->inode && (*committed)->offset <= identity->size) {
      file.offset = (*committed)->offset;
    }
  }
  if (!read_new_lines(file)) return;
  // At the end of what the open file holds: has it been replaced or cut?
  const auto current = identity_of_path(file.source.path);
  const auto open = identity_of_descriptor(file.descriptor);
  if (!open) return;
  if (current &&
      (current->device != file.identity.device || current->inode != file.identity.inode)) {
    // Rotated: the old file was read to its end above; the new one from its start.
    if (open->size > file.offset && !read_new_lines(file)) return;
    file.close();
    ++counters_.log_file_rotations;
    follow(file);
    return;
  }
  if (open->size < file.offset) {  // truncated in place
    file.offset = 0;
    ++counters_.log_file_rotations;
  }
}

bool LogTailer::read_new_lines(File& file) {
  std::string buffer;
  for (;;) {
    buffer.resize(read_chunk);
    const ssize_t got =
        ::pread(file.descriptor, buffer.data(), buffer.size(), static_cast<off_t>(file.offset));
    if (got <= 0) return true;
    buffer.resize(static_cast<std::size_t>(got));
    const bool was_skipping = file.skipping_long_line;
    std::vector<model::LogRecord> records;
    ingest::LogLineCounts counts;
    std::size_t consumed = 0;
    while (records.size() < max_records_per_write) {
      const std::size_t newline = buffer.find('\n', consumed);
      if (newline == std::string::npos) break;
      const std::string_view line(buffer.data() + consumed, newline - consumed);
      if (file.skipping_long_line) {
        file.skipping_long_line = false;  // the end of a line too long to keep
        ++counts.lines;
        ++counts.too_long;
      } else if (auto record = file.reader.read(
                     line, file.source.path + ":" + std::to_string(file.offset + consumed), counts);
                 record && record->has_trace_id()) {
        records.push_back(std::move(*record));
      }
      consumed = newline + 1;
    }
    if (consumed == 0) {
      // No newline in a whole chunk: a line too long to keep; skip to its end.
      if (buffer.size() < read_chunk) return true;  // an incomplete line: wait for the rest
      file.skipping_long_line = true;
      consumed = buffer.size();
    }
    FileOffset offset{file.source.path, file.identity.device, file.identity.inode,
                      file.offset + consumed};
    const std::size_t stored = records.size();
    const WriteResult written = store_.write_logs(std::move(records), std::move(offset));
    if (written.status != WriteResult::Status::committed) {  // read it again next poll
      file.skipping_long_line = was_skipping;
      return false;
    }
    file.offset += consumed;
    counters_.log_file_lines += counts.lines;
    counters_.log_records_received += stored;
    counters_.log_file_lines_skipped += counts.skipped();
  }
}

}  // namespace tracemesh::collector
