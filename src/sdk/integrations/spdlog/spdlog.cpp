#include <ctime>
#include <string_view>

#include "sdk/json_text.h"
#include "tracemesh/current_context.h"
#include "tracemesh/spdlog.h"

namespace tracemesh {
namespace {

void append(spdlog::memory_buf_t& destination, std::string_view text) {
  destination.append(text.data(), text.data() + text.size());
}

// Append the current span's trace id (or span id) as hex; nothing without a span.
template <bool TraceId>
class IdFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& destination) override {
    const Context current = current_context();
    const SpanContext& context = current.span_context();
    if constexpr (TraceId) {
      if (!context.trace_id.is_valid()) return;
      std::array<char, 32> hex{};
      context.trace_id.to_hex(hex.data());
      append(destination, {hex.data(), hex.size()});
    } else {
      if (!context.span_id.is_valid()) return;
      std::array<char, 16> hex{};
      context.span_id.to_hex(hex.data());
      append(destination, {hex.data(), hex.size()});
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<IdFlag>();
  }
};

std::string iso8601_utc(spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch - seconds).count();
  const std::time_t whole = seconds.count();
  std::tm utc{};
  gmtime_r(&whole, &utc);
  std::array<char, 40> text{};
  const std::size_t length = std::strftime(text.data(), text.size(), "%Y-%m-%dT%H:%M:%S", &utc);
  std::array<char, 16> fraction{};
  std::snprintf(fraction.data(), fraction.size(), ".%06lldZ",
                static_cast<long long>(micros));  // NOLINT
  return std::string(text.data(), length) + fraction.data();
}

}  // namespace

std::unique_ptr<spdlog::pattern_formatter> make_pattern_formatter(std::string pattern) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<IdFlag<true>>(trace_id_flag);
  formatter->add_flag<IdFlag<false>>(span_id_flag);
  formatter->set_pattern(std::move(pattern));
  return formatter;
}

void JsonLinesFormatter::format(const spdlog::details::log_msg& message,
                                spdlog::memory_buf_t& destination) {
  const Context current = current_context();
  const SpanContext& context = current.span_context();
  std::string line = R"({"time":")" + iso8601_utc(message.time) + R"(","level":)";
  const auto level = spdlog::level::to_string_view(message.level);
  detail::append_json_string(line, std::string_view(level.data(), level.size()));
  line += R"(,"service":)";
  detail::append_json_string(line, service_);
  line += R"(,"trace_id":")";
  if (context.trace_id.is_valid()) line += context.trace_id.to_hex();
  line += R"(","span_id":")";
  if (context.span_id.is_valid()) line += context.span_id.to_hex();
  line += R"(","message":)";
  detail::append_json_string(line,
                             std::string_view(message.payload.data(), message.payload.size()));
  line += "}\n";
  append(destination, line);
}

std::unique_ptr<spdlog::formatter> JsonLinesFormatter::clone() const {
  return std::make_unique<JsonLinesFormatter>(service_);
}

}  // namespace tracemesh
