#include "verify/log_files.h"

#include <filesystem>
#include <fstream>

namespace tracemesh::verify {
namespace {

Expected<void> read_stream(std::istream& stream, const std::string& name,
                           const ingest::JsonLogReader& reader, LogInput& input) {
  std::string line;
  std::size_t number = 0;
  std::size_t bytes = 0;
  while (std::getline(stream, line)) {
    ++number;
    bytes += line.size() + 1;
    if (bytes > max_log_input_bytes) {
      return Error{ErrorCode::invalid_input,
                   name + ": larger than " + std::to_string(max_log_input_bytes >> 20) + " MiB"};
    }
    auto record = reader.read(line, name + ":" + std::to_string(number), input.counts);
    if (!record) continue;
    if (input.records.size() == max_log_records) {
      return Error{ErrorCode::invalid_input, name + ":" + std::to_string(number) + ": more than " +
                                                 std::to_string(max_log_records) +
                                                 " log records in all inputs"};
    }
    input.records.push_back(std::move(*record));
  }
  if (stream.bad()) return Error{ErrorCode::io_error, name + ": reading failed"};
  return {};
}

bool is_service_name(const std::string& text) {
  return !text.empty() && text.find_first_of("/\\") == std::string::npos;
}

}  // namespace

LogSource parse_log_source(const std::string& argument) {
  std::error_code error;
  const std::size_t colon = argument.rfind(':');
  if (argument == "-" || colon == std::string::npos || std::filesystem::exists(argument, error)) {
    return {argument, {}};
  }
  const std::string service = argument.substr(colon + 1);
  if (!is_service_name(service)) return {argument, {}};
  return {argument.substr(0, colon), service};
}

Expected<LogInput> read_log_files(const std::vector<std::string>& arguments,
                                  const ingest::LogFieldNames& names,
                                  std::istream& standard_input) {
  LogInput input;
  for (const std::string& argument : arguments) {
    const LogSource source = parse_log_source(argument);
    const ingest::JsonLogReader reader(names, source.service);
    ++input.files;
    if (source.path == "-") {
      auto read = read_stream(standard_input, "<stdin>", reader, input);
      if (!read) return read.error();
      continue;
    }
    std::ifstream file(source.path, std::ios::binary);
    if (!file) return Error{ErrorCode::io_error, source.path + ": cannot read the file"};
    auto read = read_stream(file, source.path, reader, input);
    if (!read) return read.error();
  }
  return input;
}

}  // namespace tracemesh::verify
