#include "tracemesh/baggage.h"

#include <algorithm>

#include "sdk/hex.h"
#include "sdk/list_members.h"
#include "sdk/percent_encoding.h"

namespace tracemesh {
namespace {

constexpr bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

// W3C Baggage baggage-octet: printable ASCII except space, DQUOTE, ',', ';' and '\'.
constexpr bool is_baggage_octet(char c) noexcept {
  return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
         (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

bool is_token(std::string_view text) noexcept {
  return !text.empty() && std::ranges::all_of(text, is_token_char);
}

bool is_encoded_value(std::string_view text) noexcept {
  return std::ranges::all_of(text, is_baggage_octet);
}

// Return whether `c` goes out as itself (else as %XX).
constexpr bool sent_verbatim(char c) noexcept {
  return is_baggage_octet(c) && c != '%';
}

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (sent_verbatim(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += "0123456789ABCDEF"[byte >> 4];
      out += "0123456789ABCDEF"[byte & 0x0f];
    }
  }
  return out;
}

// Normalize properties: trim each ';'-separated property; reject malformed ones.
bool normalize_metadata(std::string_view text, std::string& out) {
  out.clear();
  while (true) {
    const auto semicolon = text.find(';');
    auto property = detail::trim_ows(text.substr(0, semicolon));
    const auto equals = property.find('=');
    const auto key = detail::trim_ows(property.substr(0, equals));
    const auto value = equals == std::string_view::npos
                           ? std::string_view{}
                           : detail::trim_ows(property.substr(equals + 1));
    if (!is_token(key) || !is_encoded_value(value)) return false;
    if (!out.empty()) out += ';';
    out.append(key);
    if (equals != std::string_view::npos) out.append("=").append(value);
    if (semicolon == std::string_view::npos) return true;
    text.remove_prefix(semicolon + 1);
  }
}

// Parse one list member; returns an error code on malformed input.
Expected<Baggage::Entry> parse_member(std::string_view member) {
  const auto semicolon = member.find(';');
  const auto pair = member.substr(0, semicolon);
  const auto equals = pair.find('=');
  if (equals == std::string_view::npos) return ErrorCode::bad_delimiter;
  const auto key = detail::trim_ows(pair.substr(0, equals));
  const auto value = detail::trim_ows(pair.substr(equals + 1));
  if (!is_token(key) || !is_encoded_value(value)) return ErrorCode::bad_character;
  Baggage::Entry entry{
      std::string(key), detail::replace_invalid_utf8(detail::percent_decode(value)), {}};
  if (semicolon != std::string_view::npos &&
      !normalize_metadata(member.substr(semicolon + 1), entry.metadata)) {
    return ErrorCode::bad_character;
  }
  return entry;
}

// Return the size of the entry's encoded list member, without encoding it.
std::size_t encoded_size(const Baggage::Entry& entry) {
  std::size_t size = entry.key.size() + 1;
  for (char c : entry.value) size += sent_verbatim(c) ? 1U : 3U;
  if (!entry.metadata.empty()) size += 1 + entry.metadata.size();
  return size;
}

void upsert(std::vector<Baggage::Entry>& entries, Baggage::Entry entry) {
  for (auto& existing : entries) {
    if (existing.key == entry.key) {
      existing = std::move(entry);
      return;
    }
  }
  entries.push_back(std::move(entry));
}

struct Accumulated {
  std::vector<Baggage::Entry> entries;
  std::size_t bytes = 0;
  std::size_t dropped = 0;
  ErrorCode first_error{};
  bool failed = false;

  void fail(ErrorCode code) {
    ++dropped;
    if (!failed) first_error = code;
    failed = true;
  }
  void add(Baggage::Entry entry) {
    const std::size_t size = encoded_size(entry) + (entries.empty() ? 0 : 1);
    if (entries.size() == Baggage::max_members) return fail(ErrorCode::too_many_members);
    if (bytes + size > Baggage::max_header_size) return fail(ErrorCode::too_long);
    bytes += size;
    upsert(entries, std::move(entry));
  }
};

Accumulated parse_all(std::string_view header) {
  Accumulated result;
  if (header.size() > Baggage::max_input_size) {
    // Read only whole members within the cap; the rest counts as dropped.
    const auto cut = header.substr(0, Baggage::max_input_size).rfind(',');
    header = header.substr(0, cut == std::string_view::npos ? 0 : cut);
    result.fail(ErrorCode::too_long);
  }
  detail::ListMembers list(header);
  std::string_view text;
  while (list.next(text)) {
    if (text.empty()) continue;
    auto entry = parse_member(text);
    if (entry) {
      result.add(std::move(*entry));
    } else {
      result.fail(entry.error().code);
    }
  }
  return result;
}

}  // namespace

Baggage::Baggage(std::vector<Entry> entries)
    : entries_(entries.empty() ? nullptr
                               : std::make_shared<const std::vector<Entry>>(std::move(entries))) {}

Expected<Baggage> Baggage::parse(std::string_view header) {
  auto result = parse_all(header);
  if (result.failed) return result.first_error;
  return Baggage(std::move(result.entries));
}

Baggage::Parsed Baggage::parse_lenient(std::string_view header) {
  auto result = parse_all(header);
  return Parsed{Baggage(std::move(result.entries)), result.dropped};
}

const std::vector<Baggage::Entry>& Baggage::entries() const noexcept {
  static const std::vector<Entry> none;
  return entries_ ? *entries_ : none;
}

std::optional<std::string_view> Baggage::get(std::string_view key) const noexcept {
  for (const auto& entry : entries()) {
    if (entry.key == key) return std::string_view(entry.value);
  }
  return std::nullopt;
}

Expected<Baggage> Baggage::set(std::string_view key, std::string_view value,
                               std::string_view metadata) const {
  if (!is_token(key)) return ErrorCode::bad_character;
  Entry entry{std::string(key), std::string(value), {}};
  if (!metadata.empty() && !normalize_metadata(metadata, entry.metadata)) {
    return ErrorCode::bad_character;
  }
  auto entries = entries_ ? *entries_ : std::vector<Entry>{};
  upsert(entries, std::move(entry));
  if (entries.size() > max_members) return ErrorCode::too_many_members;
  std::size_t bytes = entries.size() - 1;
  for (const auto& e : entries) bytes += encoded_size(e);
  if (bytes > max_header_size) return ErrorCode::too_long;
  return Baggage(std::move(entries));
}

Baggage Baggage::erase(std::string_view key) const {
  std::vector<Entry> entries;
  for (const auto& entry : this->entries()) {
    if (entry.key != key) entries.push_back(entry);
  }
  return Baggage(std::move(entries));
}

std::string Baggage::to_header() const {
  std::string out;
  for (const auto& entry : entries()) {
    std::string member = entry.key + '=' + percent_encode(entry.value);
    if (!entry.metadata.empty()) member.append(";").append(entry.metadata);
    if (out.size() + member.size() + (out.empty() ? 0 : 1) > max_header_size) continue;
    if (!out.empty()) out += ',';
    out += member;
  }
  return out;
}

}  // namespace tracemesh
