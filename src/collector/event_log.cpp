#include "collector/event_log.h"

#include <chrono>

#include "model/json_text.h"
#include "model/timestamp.h"

namespace tracemesh::collector {
namespace {

// A text value: as it is when it is one word, quoted otherwise (logfmt).
void append_text_value(std::string& out, std::string_view value) {
  const bool plain = !value.empty() && value.find_first_of(" \t\"=\n") == std::string_view::npos;
  if (plain) {
    out += value;
    return;
  }
  model::append_json_string(out, value);
}

}  // namespace

std::string EventLog::line(std::uint64_t unix_nanos, std::string_view level,
                           std::string_view message, const Fields& fields) const {
  std::string out;
  const std::string time = model::format_timestamp(unix_nanos);
  if (format_ == Format::json) {
    out += "{\"time\":";
    model::append_json_string(out, time);
    out += ",\"level\":";
    model::append_json_string(out, level);
    out += ",\"msg\":";
    model::append_json_string(out, message);
    for (const auto& [key, value] : fields) {
      out += ',';
      model::append_json_string(out, key);
      out += ':';
      model::append_json_string(out, value);
    }
    out += "}\n";
    return out;
  }
  out += time;
  out += ' ';
  out += level;
  out += ' ';
  out += message;
  for (const auto& [key, value] : fields) {
    out += ' ';
    out += key;
    out += '=';
    append_text_value(out, value);
  }
  out += '\n';
  return out;
}

void EventLog::write(std::string_view level, std::string_view message, const Fields& fields) {
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  const std::string text = line(now, level, message, fields);
  const std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), out_);
  std::fflush(out_);
}

}  // namespace tracemesh::collector
