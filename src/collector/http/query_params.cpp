#include "collector/http/query_params.h"

#include <charconv>

#include "model/ascii.h"
#include "model/duration.h"

namespace tracemesh::collector {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      decoded += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      decoded += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      decoded += text[i];
    }
  }
  return decoded;
}

}  // namespace

QueryParams parse_query_params(std::string_view target) {
  QueryParams params;
  const std::size_t question = target.find('?');
  if (question == std::string_view::npos) return params;
  std::string_view rest = target.substr(question + 1);
  rest = rest.substr(0, rest.find('#'));
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    params.emplace(
        percent_decode(pair.substr(0, equals)),
        equals == std::string_view::npos ? std::string() : percent_decode(pair.substr(equals + 1)));
  }
  return params;
}

const std::string* single(const QueryParams& params, const char* name) {
  const auto found = params.find(name);
  return found == params.end() ? nullptr : &found->second;
}

std::uint64_t unsigned_number(const std::string& text, const char* name) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    throw BadParameter{std::string(name) + " must be a non-negative integer, not '" + text + "'"};
  }
  return value;
}

std::uint64_t duration(const std::string& text, const char* name) {
  const auto parsed = model::parse_duration(text);
  if (!parsed) throw BadParameter{std::string(name) + ": " + std::string(parsed.error().text())};
  return static_cast<std::uint64_t>(parsed->count());
}

std::optional<TraceId> padded_trace_id(std::string_view hex) {
  std::string padded = model::ascii_lowercase(hex);
  if (padded.size() < 32 && !padded.empty()) padded.insert(0, 32 - padded.size(), '0');
  const auto trace_id = TraceId::from_hex(padded);
  if (!trace_id) return std::nullopt;
  return *trace_id;
}

}  // namespace tracemesh::collector
