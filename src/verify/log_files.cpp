#include "verify/log_files.h"

#include <filesystem>
#include <fstream>

namespace tracemesh::verify {
namespace {

constexpr std::size_t read_chunk = 1 << 16;

// Reads lines in chunks, holding at most one line of max_log_line_bytes: a
// longer line is skipped as it streams past (counted as too long), so no
// input, however long its lines, takes more memory than that.
class LineReader {
 public:
  LineReader(const std::string& name, const ingest::JsonLogReader& reader, LogInput& input,
             const LogLimits& limits)
      : name_(name), reader_(reader), input_(input), limits_(limits) {}

  Expected<void> read(std::istream& stream) {
    std::string chunk(read_chunk, '\0');
    while (stream.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) ||
           stream.gcount() > 0) {
      const auto got = static_cast<std::size_t>(stream.gcount());
      bytes_ += got;
      if (bytes_ > limits_.max_input_bytes) {
        return Error{ErrorCode::invalid_input,
                     name_ + ": larger than " + std::to_string(limits_.max_input_bytes) + " bytes"};
      }
      std::string_view rest(chunk.data(), got);
      while (!rest.empty()) {
        const std::size_t newline = rest.find('\n');
        append(rest.substr(0, newline));
        if (newline == std::string_view::npos) break;
        if (auto ended = end_line(); !ended) return ended;
        rest.remove_prefix(newline + 1);
      }
    }
    if (stream.bad()) return Error{ErrorCode::io_error, name_ + ": reading failed"};
    if (!line_.empty() || skipping_) return end_line();
    return {};
  }

 private:
  void append(std::string_view part) {
    if (skipping_) return;
    if (line_.size() + part.size() > ingest::max_log_line_bytes) {
      skipping_ = true;
      line_.clear();
      return;
    }
    line_.append(part);
  }

  Expected<void> end_line() {
    ++number_;
    if (skipping_) {
      skipping_ = false;
      ++input_.counts.lines;
      ++input_.counts.too_long;
      return {};
    }
    auto record = reader_.read(line_, name_ + ":" + std::to_string(number_), input_.counts);
    line_.clear();
    if (!record) return {};
    if (input_.records.size() == limits_.max_records) {
      return Error{ErrorCode::invalid_input,
                   name_ + ":" + std::to_string(number_) + ": more than " +
                       std::to_string(limits_.max_records) + " log records in all inputs"};
    }
    input_.records.push_back(std::move(*record));
    return {};
  }

  const std::string& name_;
  const ingest::JsonLogReader& reader_;
  LogInput& input_;
  const LogLimits& limits_;
  std::string line_;
  bool skipping_ = false;
  std::size_t bytes_ = 0;
  std::size_t number_ = 0;
};

}  // namespace

ingest::LogSource parse_log_source(const std::string& argument) {
  std::error_code error;
  return ingest::split_log_source(argument,
                                  argument == "-" || std::filesystem::exists(argument, error));
}

Expected<LogInput> read_log_files(const std::vector<std::string>& arguments,
                                  const ingest::LogFieldNames& names, std::istream& standard_input,
                                  const LogLimits& limits) {
  LogInput input;
  for (const std::string& argument : arguments) {
    const ingest::LogSource source = parse_log_source(argument);
    const ingest::JsonLogReader reader(names, source.service);
    ++input.files;
    const std::string name = source.path == "-" ? "<stdin>" : source.path;
    LineReader lines(name, reader, input, limits);
    if (source.path == "-") {
      if (auto read = lines.read(standard_input); !read) return read.error();
      continue;
    }
    std::ifstream file(source.path, std::ios::binary);
    if (!file) return Error{ErrorCode::io_error, source.path + ": cannot read the file"};
    if (auto read = lines.read(file); !read) return read.error();
  }
  return input;
}

}  // namespace tracemesh::verify
