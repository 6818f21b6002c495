#include "ingest/json_log_lines.h"

#include <algorithm>
#include <array>
#include <charconv>

#include "ingest/json_body.h"
#include "model/ascii.h"
#include "model/timestamp.h"
#include "tracemesh/legacy_propagator.h"

namespace tracemesh::ingest {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

// The usual names, most specific first (Serilog's compact JSON: @t, @tr, @sp, @m, @l;
// .NET's TraceId, RequestId, Timestamp).
constexpr std::array<std::string_view, 19> trace_fields = {
    "trace_id",    "traceId",      "traceID",      "TraceId",       "trace.id",
    "otelTraceID", "@tr",          "x_trace_id",   "x-trace-id",    "xTraceId",
    "traceparent", "request_id",   "requestId",    "requestID",     "RequestId",
    "request.id",  "x_request_id", "x-request-id", "correlation_id"};
constexpr std::array<std::string_view, 7> service_fields = {
    "service",         "service.name", "service_name", "serviceName",
    "otelServiceName", "app",          "application"};
constexpr std::array<std::string_view, 8> time_fields = {"ts", "timestamp", "time",    "@timestamp",
                                                         "@t", "Timestamp", "asctime", "datetime"};
constexpr std::array<std::string_view, 6> span_fields = {"span_id", "spanId",     "SpanId",
                                                         "span.id", "otelSpanID", "@sp"};
constexpr std::array<std::string_view, 8> message_fields = {"message", "msg", "event", "body",
                                                            "log",     "@m",  "@mt",   "Message"};
constexpr std::array<std::string_view, 6> severity_fields = {"level",     "severity", "levelname",
                                                             "log.level", "@l",       "Level"};

// The field `name` of `fields`: a flat key first, then a path through nested objects.
std::optional<element> find_field(object fields, std::string_view name) {
  element value;
  if (fields[name].get(value) == simdjson::SUCCESS) return value;
  std::size_t dot = name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  object current = fields;
  while (true) {
    if (current[name.substr(0, dot)].get(value) != simdjson::SUCCESS) return std::nullopt;
    name.remove_prefix(dot + 1);
    dot = name.find('.');
    if (dot == std::string_view::npos) break;
    if (value.get_object().get(current) != simdjson::SUCCESS) return std::nullopt;
  }
  if (value.get_object().get(current) != simdjson::SUCCESS) return std::nullopt;
  if (current[name].get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// A string as itself, an integer as its decimal text; nullopt otherwise.
std::optional<std::string> text_of(element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) return std::string(text);
  std::uint64_t unsigned_number = 0;
  if (value.get_uint64().get(unsigned_number) == simdjson::SUCCESS) {
    return std::to_string(unsigned_number);
  }
  std::int64_t number = 0;
  if (value.get_int64().get(number) == simdjson::SUCCESS) return std::to_string(number);
  return std::nullopt;
}

std::optional<std::uint64_t> time_of(element value) {
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    if (auto parsed = model::parse_timestamp(text)) return parsed;
    // Epoch numbers written as text ("1733598600.123").
    double number = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
    if (error == std::errc{} && end == text.data() + text.size()) {
      return model::epoch_number_nanos(number);
    }
    return std::nullopt;
  }
  std::uint64_t integer = 0;
  if (value.get_uint64().get(integer) == simdjson::SUCCESS) {
    return model::epoch_number_nanos(integer);
  }
  double number = 0;
  if (value.get_double().get(number) == simdjson::SUCCESS) return model::epoch_number_nanos(number);
  return std::nullopt;
}

// The first of `names` (or the one name given) that `read` accepts.
template <typename Names, typename Read>
auto first_field(object fields, const std::string& given, const Names& names, Read read)
    -> decltype(read(std::declval<element>())) {
  if (!given.empty()) {
    const auto value = find_field(fields, given);
    return value ? read(*value) : std::nullopt;
  }
  for (const std::string_view name : names) {
    if (const auto value = find_field(fields, name)) {
      if (auto read_value = read(*value)) return read_value;
    }
  }
  return std::nullopt;
}

std::optional<std::string> nonempty_text(element value) {
  auto text = text_of(value);
  if (text && text->empty()) return std::nullopt;
  return text;
}

// A `docker compose logs` line: "NAME  | rest", the name maybe in colour.
struct ComposeLine {
  std::string service;  // NAME without a replica suffix ("ingest-1" → "ingest")
  std::string_view rest;
};

std::string_view skip_colour(std::string_view text) {
  while (text.size() >= 2 && text[0] == '\x1b' && text[1] == '[') {
    const std::size_t end = text.find('m');
    if (end == std::string_view::npos) return text;
    text.remove_prefix(end + 1);
  }
  return text;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

std::optional<ComposeLine> compose_line(std::string_view line) {
  std::string_view text = skip_colour(line);
  std::size_t length = 0;
  while (length < text.size() && is_name_char(text[length])) ++length;
  if (length == 0) return std::nullopt;
  std::string_view name = text.substr(0, length);
  text.remove_prefix(length);
  const std::size_t bar = text.find_first_not_of(' ');
  if (bar == std::string_view::npos || text[bar] != '|') return std::nullopt;
  text.remove_prefix(bar + 1);
  if (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  text = skip_colour(text);
  // Compose v2 names a replica "service-1", v1 "service_1".
  const std::size_t suffix = name.find_last_not_of("0123456789");
  if (suffix != std::string_view::npos && suffix + 1 < name.size() && suffix > 0 &&
      (name[suffix] == '-' || name[suffix] == '_')) {
    name = name.substr(0, suffix);
  }
  return ComposeLine{std::string(name), text};
}

// A leading RFC 3339 time and a space, as `--timestamps` writes it.
std::optional<std::uint64_t> take_leading_time(std::string_view& text) {
  const std::size_t space = text.find(' ');
  if (space == std::string_view::npos || space < 19) return std::nullopt;
  const auto time = model::parse_timestamp(text.substr(0, space));
  if (time) text.remove_prefix(space + 1);
  return time;
}

// "-", "null" and the like; also an id of zeros (OpenTelemetry's logging
// instrumentation writes otelTraceID="0" outside a span).
bool is_placeholder(std::string_view value) {
  if (value.find_first_not_of("0-") == std::string_view::npos) return true;
  static constexpr std::string_view placeholders[] = {"-",         "null",    "none", "nil",
                                                      "undefined", "unknown", "n/a"};
  return std::ranges::any_of(placeholders, [value](std::string_view placeholder) {
    return model::ascii_iequals(value, placeholder);
  });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

LogLineCounts& LogLineCounts::operator+=(const LogLineCounts& other) noexcept {
  lines += other.lines;
  records += other.records;
  with_trace_id += other.with_trace_id;
  blank += other.blank;
  not_json += other.not_json;
  no_time += other.no_time;
  no_service += other.no_service;
  too_long += other.too_long;
  return *this;
}

std::optional<TraceId> logged_trace_id(std::string_view value) noexcept {
  value = trim(value);
  if (value.empty() || is_placeholder(value)) return std::nullopt;
  // A traceparent: 00-<32 hex>-<16 hex>-<2 hex>.
  if (value.size() == 55 && value[2] == '-' && value[35] == '-' && value[52] == '-') {
    return parse_hex_id<TraceId>(value.substr(3, 32));
  }
  auto mapped = parse_legacy_trace_id(value);
  if (!mapped) return std::nullopt;
  return *mapped;
}

void cap_log_body(std::string& body) {
  if (body.size() <= max_log_body_bytes) return;
  std::size_t end = max_log_body_bytes;
  while (end > 0 && (static_cast<unsigned char>(body[end]) & 0xC0U) == 0x80U) --end;
  body.resize(end);
  body += "\xE2\x80\xA6";  // …
}

LogSource split_log_source(const std::string& argument, bool exists) {
  const std::size_t colon = argument.rfind(':');
  if (exists || colon == std::string::npos) return {argument, {}};
  std::string service = argument.substr(colon + 1);
  if (service.empty() || service.find_first_of("/\\.") != std::string::npos) return {argument, {}};
  return {argument.substr(0, colon), std::move(service)};
}

bool is_trace_id_field(std::string_view key) noexcept {
  return std::ranges::find(trace_fields, key) != trace_fields.end();
}

JsonLogReader::JsonLogReader(LogFieldNames names, std::string default_service)
    : names_(std::move(names)), default_service_(std::move(default_service)) {}

std::optional<model::LogRecord> JsonLogReader::read(std::string_view line, std::string source,
                                                    LogLineCounts& counts) const {
  ++counts.lines;
  if (line.size() > max_log_line_bytes) {
    ++counts.too_long;
    return std::nullopt;
  }
  std::string_view text = trim(line);
  if (text.starts_with("\xEF\xBB\xBF")) text = trim(text.substr(3));  // a UTF-8 byte-order mark
  if (text.empty()) {
    ++counts.blank;
    return std::nullopt;
  }
  std::string prefix_service;
  std::optional<std::uint64_t> prefix_time;
  if (text.front() != '{') {
    if (auto compose = compose_line(text)) {
      prefix_service = std::move(compose->service);
      text = compose->rest;
    }
    prefix_time = take_leading_time(text);
    text = trim(text);
    if (text.empty()) {  // a blank line behind a prefix
      ++counts.blank;
      return std::nullopt;
    }
  }
  if (text.front() != '{') {
    ++counts.not_json;
    return std::nullopt;
  }
  JsonBody body;
  auto root = body.parse(text);
  object fields;
  if (!root || root->get_object().get(fields) != simdjson::SUCCESS) {
    ++counts.not_json;
    return std::nullopt;
  }
  model::LogRecord record;
  const auto time = first_field(fields, names_.time, time_fields, time_of);
  if (!time && !prefix_time) {
    ++counts.no_time;
    return std::nullopt;
  }
  record.time_unix_nano = time ? *time : *prefix_time;
  auto service = first_field(fields, names_.service, service_fields, [](element value) {
    std::string_view name;
    return value.get_string().get(name) == simdjson::SUCCESS && !name.empty()
               ? std::optional<std::string>(name)
               : std::nullopt;
  });
  if (service) {
    record.service = std::move(*service);
  } else if (!prefix_service.empty()) {
    record.service = std::move(prefix_service);
  } else if (!default_service_.empty()) {
    record.service = default_service_;
  } else {
    ++counts.no_service;
    return std::nullopt;
  }
  const auto id = first_field(fields, names_.trace, trace_fields, [](element value) {
    auto logged = text_of(value);
    return logged && logged_trace_id(*logged) ? logged : std::nullopt;
  });
  if (id) {
    record.trace_id = *logged_trace_id(*id);
    record.logged_id = *id;
    ++counts.with_trace_id;
  }
  if (const auto span = first_field(fields, {}, span_fields, nonempty_text)) {
    if (const auto span_id = parse_hex_id<SpanId>(*span)) record.span_id = *span_id;
  }
  if (auto message = first_field(fields, {}, message_fields, nonempty_text)) {
    record.body = std::move(*message);
    cap_log_body(record.body);
  }
  if (auto severity = first_field(fields, {}, severity_fields, nonempty_text)) {
    record.severity = std::move(*severity);
  }
  record.source = std::move(source);
  ++counts.records;
  return record;
}

}  // namespace tracemesh::ingest
