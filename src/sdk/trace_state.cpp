#include "tracemesh/trace_state.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "sdk/list_members.h"

namespace tracemesh {
namespace {

constexpr bool is_lcalpha(char c) noexcept {
  return c >= 'a' && c <= 'z';
}
constexpr bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}
constexpr bool is_key_char(char c) noexcept {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/' || c == '@';
}
constexpr bool is_value_char(char c) noexcept {
  return (c >= 0x20 && c <= 0x2b) || (c >= 0x2d && c <= 0x3c) || (c >= 0x3e && c <= 0x7e);
}

struct Member {
  std::string_view key;
  std::string_view value;
};

// Split "key=value"; false when there is no '='.
bool split_member(std::string_view member, Member& out) noexcept {
  const auto equals = member.find('=');
  if (equals == std::string_view::npos) return false;
  out.key = member.substr(0, equals);
  out.value = member.substr(equals + 1);
  return true;
}

// A list member located in the parsed header: offsets fit 16 bits because
// max_header_size does, which keeps this table small enough to live on the stack.
struct MemberSpan {
  std::uint16_t begin;
  std::uint16_t size;
  std::uint16_t key_size;
};

std::string join(const std::vector<Member>& members) {
  std::string out;
  for (const auto& member : members) {
    if (!out.empty()) out += ',';
    out.append(member.key).append("=").append(member.value);
  }
  return out;
}

}  // namespace

TraceState TraceState::from_normalized(std::string_view normalized) {
  TraceState state;
  if (normalized.empty()) return state;
  auto chars = std::make_shared<char[]>(normalized.size());
  std::memcpy(chars.get(), normalized.data(), normalized.size());
  state.chars_ = std::move(chars);
  state.size_ = static_cast<std::uint32_t>(normalized.size());
  return state;
}

// Level 2's key: (lcalpha / DIGIT) 0*255 keychar, where keychar also holds
// '@' anywhere after the first character (tenant@system keys among them,
// whatever their parts' lengths), as the current W3C conformance suite checks.
bool TraceState::is_valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > max_key_size) return false;
  return (is_lcalpha(key.front()) || is_digit(key.front())) &&
         std::ranges::all_of(key, is_key_char);
}

bool TraceState::is_valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > max_value_size || value.back() == ' ') return false;
  return std::ranges::all_of(value, is_value_char);
}

// One pass validates and locates the members; one allocation holds the
// normalized header (optional whitespace and empty members removed).
Expected<TraceState> TraceState::parse(std::string_view header) {
  if (header.size() > max_header_size) return ErrorCode::too_long;
  std::array<MemberSpan, max_members> spans;  // NOLINT(cppcoreguidelines-pro-type-member-init)
  std::size_t count = 0;
  std::size_t normalized_size = 0;
  detail::ListMembers list(header);
  std::string_view text;
  while (list.next(text)) {
    if (text.empty()) continue;  // empty list members are allowed
    Member member;
    if (!split_member(text, member)) return ErrorCode::bad_delimiter;
    if (!is_valid_key(member.key) || !is_valid_value(member.value)) return ErrorCode::bad_character;
    // A duplicated key keeps its first member (the spec lets a vendor keep
    // either, or both; the state of a trace must not be lost for it).
    const bool duplicate = std::any_of(
        spans.begin(), spans.begin() + static_cast<long>(count), [&](const MemberSpan& span) {
          return header.substr(span.begin, span.key_size) == member.key;
        });
    if (duplicate) continue;
    if (count == max_members) return ErrorCode::too_many_members;
    spans[count++] = MemberSpan{static_cast<std::uint16_t>(text.data() - header.data()),
                                static_cast<std::uint16_t>(text.size()),
                                static_cast<std::uint16_t>(member.key.size())};
    normalized_size += text.size() + (count > 1 ? 1 : 0);
  }
  TraceState state;
  if (count == 0) return state;
  auto chars = std::make_shared<char[]>(normalized_size);
  char* out = chars.get();
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) *out++ = ',';
    std::memcpy(out, header.data() + spans[i].begin, spans[i].size);
    out += spans[i].size;
  }
  state.chars_ = std::move(chars);
  state.size_ = static_cast<std::uint32_t>(normalized_size);
  return state;
}

std::optional<std::string_view> TraceState::get(std::string_view key) const noexcept {
  detail::ListMembers list(header());
  std::string_view text;
  Member member;
  while (list.next(text)) {
    if (split_member(text, member) && member.key == key) return member.value;
  }
  return std::nullopt;
}

std::size_t TraceState::size() const noexcept {
  if (empty()) return 0;
  std::size_t commas = 0;
  for (char c : header()) commas += c == ',' ? 1 : 0;
  return commas + 1;
}

Expected<TraceState> TraceState::set(std::string_view key, std::string_view value) const {
  if (!is_valid_key(key) || !is_valid_value(value)) return ErrorCode::bad_character;
  std::vector<Member> members{{key, value}};
  detail::ListMembers list(header());
  std::string_view text;
  Member member;
  while (list.next(text)) {
    if (split_member(text, member) && member.key != key) members.push_back(member);
  }
  if (members.size() > max_members) members.resize(max_members);
  return from_normalized(join(members));
}

TraceState TraceState::erase(std::string_view key) const {
  std::vector<Member> members;
  detail::ListMembers list(header());
  std::string_view text;
  Member member;
  while (list.next(text)) {
    if (split_member(text, member) && member.key != key) members.push_back(member);
  }
  return from_normalized(join(members));
}

std::string TraceState::truncated_header(std::size_t max_size) const {
  if (header().size() <= max_size) return std::string(header());
  std::vector<std::string_view> members;
  detail::ListMembers list(header());
  std::string_view text;
  while (list.next(text)) members.push_back(text);
  auto total = [&members] {
    std::size_t size = members.empty() ? 0 : members.size() - 1;
    for (auto m : members) size += m.size();
    return size;
  };
  constexpr std::size_t large_member = 128;
  for (auto i = members.size(); i-- > 0 && total() > max_size;) {
    if (members[i].size() > large_member) members.erase(members.begin() + static_cast<long>(i));
  }
  while (!members.empty() && total() > max_size) members.pop_back();
  std::string out;
  for (auto m : members) {
    if (!out.empty()) out += ',';
    out += m;
  }
  return out;
}

}  // namespace tracemesh
