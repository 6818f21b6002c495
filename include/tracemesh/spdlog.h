// Log correlation for spdlog. Part of tracemesh::spdlog.
//
// Two ways to put the current trace and span ids on every log line, so
// `grep <trace id>` across the logs of every service finds one request:
//  - make_pattern_formatter(): spdlog's pattern language plus %Q (trace id)
//    and %q (span id), e.g. "%Y-%m-%d %H:%M:%S.%e %l [%Q %q] %v";
//  - JsonLinesFormatter: one JSON object per line with time, level,
//    service, trace_id, span_id and message.
// Outside any span both ids are empty strings. The ids are read from the
// current context when the line is formatted, which for synchronous
// loggers is the logging thread. With spdlog's async loggers formatting
// happens on spdlog's worker thread, which has no context: use synchronous
// loggers (or sinks) for correlated lines.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/pattern_formatter.h>

#include <memory>
#include <string>

namespace tracemesh {

inline constexpr char trace_id_flag = 'Q';
inline constexpr char span_id_flag = 'q';

// Return a pattern formatter for `pattern` that also expands %Q and %q.
std::unique_ptr<spdlog::pattern_formatter> make_pattern_formatter(std::string pattern);

// Formats each message as one JSON line:
// {"time":"2026-11-22T10:00:00.123456Z","level":"info","service":"ui",
//  "trace_id":"...","span_id":"...","message":"..."}
class JsonLinesFormatter final : public spdlog::formatter {
 public:
  explicit JsonLinesFormatter(std::string service) : service_(std::move(service)) {}
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& destination) override;
  std::unique_ptr<spdlog::formatter> clone() const override;

 private:
  std::string service_;
};

}  // namespace tracemesh
