#include "collector/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <optional>

#include "model/fnv1a.h"

namespace tracemesh::collector {
namespace {

// One read holds a whole line of the reader's limit and its newline.
constexpr std::size_t read_chunk = ingest::max_log_line_bytes + 1;
constexpr std::size_t max_records_per_write = 20'000;
constexpr std::uint64_t head_bytes = 1024;
// A rotated file is read until it has not grown for this many polls: the
// application may write to it until it reopens its log.
constexpr int rotation_quiet_polls = 3;

struct Identity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
};

Identity identity_of(const struct stat& info) {
  return {static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
          static_cast<std::uint64_t>(info.st_size)};
}

std::optional<Identity> identity_of_path(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return std::nullopt;
  return identity_of(info);
}

std::optional<Identity> identity_of_descriptor(int descriptor) {
  struct stat info {};
  if (::fstat(descriptor, &info) != 0) return std::nullopt;
  return identity_of(info);
}

// FNV-1a of the file's first `size` bytes; nullopt when it holds fewer.
std::optional<std::uint64_t> head_hash(int descriptor, std::uint64_t size) {
  std::string bytes(size, '\0');
  if (size > 0 && ::pread(descriptor, bytes.data(), size, 0) != static_cast<ssize_t>(size)) {
    return std::nullopt;
  }
  return model::fnv1a(bytes);
}

}  // namespace

struct LogTailer::File {
  LogFileSource source;
  ingest::JsonLogReader reader;
  int descriptor = -1;
  Identity identity;
  std::uint64_t offset = 0;  // after the last complete line committed
  std::uint64_t head_size = 0;
  std::uint64_t head = 0;  // head_hash of the first head_size bytes
  bool skipping_long_line = false;
  int quiet_polls = -1;  // rotated: polls the old file has not grown; -1: not rotated
  bool reported_error = false;

  explicit File(LogFileSource source_in)
      : source(std::move(source_in)), reader({}, source.service) {}
  ~File() { close(); }
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  void close() {
    if (descriptor >= 0) ::close(descriptor);
    descriptor = -1;
    quiet_polls = -1;
  }
};

LogFileSource parse_log_file_argument(const std::string& argument) {
  std::error_code error;
  auto [path, service] =
      ingest::split_log_source(argument, std::filesystem::exists(argument, error));
  // One file named two ways (./app.log, a symbolic link) is one file: its offset is kept once.
  auto canonical = std::filesystem::weakly_canonical(path, error);
  return {error ? path : canonical.string(), service};
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
    wake_.wait_for(lock, interval_, [this] { return stopping_.load(); });
  }
}

void LogTailer::poll() {
  for (const auto& file : files_) {
    if (stopping_) return;
    follow(*file);
  }
}

bool LogTailer::open(File& file) {
  // Non-blocking: a FIFO must not hang the tailer; only regular files are followed.
  const int descriptor = ::open(file.source.path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (descriptor < 0) {
    if (errno != ENOENT) note_error(file);  // a missing file is waited for
    return false;
  }
  struct stat info {};
  if (::fstat(descriptor, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(descriptor);
    note_error(file);
    return false;
  }
  // Resume where the committed records end, if this is the same file.
  const auto committed = store_.file_offset(file.source.path);
  if (!committed) {  // the store could not say: try again later, never from the start
    ::close(descriptor);
    return false;
  }
  file.descriptor = descriptor;
  file.identity = identity_of(info);
  file.offset = 0;
  file.head_size = 0;
  file.head = *head_hash(descriptor, 0);
  if (const auto& known = *committed; known && known->device == file.identity.device &&
                                      known->inode == file.identity.inode &&
                                      known->offset <= file.identity.size &&
                                      head_hash(descriptor, known->head_size) == known->head_hash) {
    file.offset = known->offset;
    file.head_size = known->head_size;
    file.head = known->head_hash;
  }
  file.reported_error = false;
  return true;
}

void LogTailer::note_error(File& file) {
  if (file.reported_error) return;
  file.reported_error = true;
  ++counters_.log_file_errors;
}

void LogTailer::follow(File& file) {
  if (file.descriptor < 0 && !open(file)) return;
  if (file.quiet_polls < 0) restart_if_rewritten(file);
  const auto before = file.offset;
  if (!read_new_lines(file)) return;
  const auto current = identity_of_path(file.source.path);
  const bool replaced =
      current && (current->device != file.identity.device || current->inode != file.identity.inode);
  if (!replaced) return;
  // Rotated: the old file is read until it stops growing (the application
  // may write to it until it reopens its log), its last line even without a
  // newline; then the new one from its start.
  file.quiet_polls = file.offset == before && file.quiet_polls >= 0 ? file.quiet_polls + 1 : 0;
  if (file.quiet_polls < rotation_quiet_polls) return;
  if (!read_last_line(file)) return;
  file.close();
  ++counters_.log_file_rotations;
  follow(file);
}

void LogTailer::restart_if_rewritten(File& file) {
  // Rewritten in place (copytruncate, `>`): shorter than what was read, or
  // other first bytes. Read again from the start.
  const auto open_now = identity_of_descriptor(file.descriptor);
  if (!open_now) return;
  const bool shrank = open_now->size < file.offset;
  const bool rewritten =
      !shrank && file.head_size > 0 && head_hash(file.descriptor, file.head_size) != file.head;
  if (!shrank && !rewritten) return;
  file.offset = 0;
  file.head_size = 0;
  file.head = *head_hash(file.descriptor, 0);
  file.skipping_long_line = false;
  ++counters_.log_file_rotations;
}

bool LogTailer::read_last_line(File& file) {
  const auto size = identity_of_descriptor(file.descriptor);
  if (!size || size->size <= file.offset) return true;
  std::string line(size->size - file.offset, '\0');
  const ssize_t got =
      ::pread(file.descriptor, line.data(), line.size(), static_cast<off_t>(file.offset));
  if (got <= 0) return true;
  line.resize(static_cast<std::size_t>(got));
  line += '\n';  // read as a line; the offset stops at the file's end
  return commit_lines(file, line, 1);
}

bool LogTailer::read_new_lines(File& file) {
  std::string buffer;
  while (!stopping_) {
    // Most polls find nothing new: then no buffer and no read.
    const auto open_now = identity_of_descriptor(file.descriptor);
    if (!open_now || open_now->size <= file.offset) return true;
    buffer.resize(std::min<std::uint64_t>(read_chunk, open_now->size - file.offset));
    const ssize_t got =
        ::pread(file.descriptor, buffer.data(), buffer.size(), static_cast<off_t>(file.offset));
    if (got <= 0) return true;
    buffer.resize(static_cast<std::size_t>(got));
    if (buffer.find('\n') == std::string::npos) {
      if (buffer.size() < read_chunk) return true;  // an incomplete line: wait for the rest
    }
    if (!commit_lines(file, buffer)) return false;
  }
  return true;
}

bool LogTailer::commit_lines(File& file, const std::string& buffer, std::size_t added) {
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
  if (consumed == 0) {  // a whole chunk without a newline: a line too long to keep
    file.skipping_long_line = true;
    consumed = buffer.size();
  }
  const std::uint64_t offset = file.offset + consumed - std::min(consumed, added);
  const std::uint64_t head_size = std::min(offset, head_bytes);
  const auto head = file.head_size == head_size ? std::optional<std::uint64_t>(file.head)
                                                : head_hash(file.descriptor, head_size);
  if (!head) {
    file.skipping_long_line = was_skipping;
    return false;
  }
  const FileOffset committed{
      file.source.path, file.identity.device, file.identity.inode, offset, head_size, *head};
  const WriteResult written = store_.write_logs(std::move(records), committed);
  if (written.status != WriteResult::Status::committed) {  // read it again next poll
    file.skipping_long_line = was_skipping;
    return false;
  }
  file.offset = offset;
  file.head_size = head_size;
  file.head = *head;
  counters_.log_file_lines += counts.lines;
  counters_.log_records_received += written.stored;
  counters_.log_file_lines_skipped += counts.skipped();
  return true;
}

}  // namespace tracemesh::collector
