// The collector's log of what it does, one line per event on standard error:
// started, stopping, stopped, the store failing and recovering, overload
// (requests refused with 429/503, summed per second), retention deleting
// traces. Text for people (`2026-12-08T01:02:03.123Z info collector started
// otlp=... query=...`) or JSON lines for log shippers ({"time", "level",
// "msg", fields...}): `tracemesh collect --log-format text|json`.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tracemesh::collector {

class EventLog {
 public:
  enum class Format { text, json };
  using Fields = std::vector<std::pair<std::string, std::string>>;

  explicit EventLog(Format format, std::FILE* out = stderr) : format_(format), out_(out) {}

  // Write one line: `level` is info, warn or error.
  void write(std::string_view level, std::string_view message, const Fields& fields = {});

  // The line write() would write at `unix_nanos` (for tests).
  std::string line(std::uint64_t unix_nanos, std::string_view level, std::string_view message,
                   const Fields& fields) const;

 private:
  Format format_;
  std::FILE* out_;
  std::mutex mutex_;
};

}  // namespace tracemesh::collector
