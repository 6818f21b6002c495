#include "tracemesh/trace_state.h"

#include <vector>

#include "list_members.h"

namespace tracemesh {
namespace {

constexpr bool is_lcalpha(char c) noexcept { return c >= 'a' && c <= 'z'; }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_key_char(char c) noexcept {
  return is_lcalpha(c) || is_digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
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

Expected<std::vector<Member>> parse_members(std::string_view header) {
  std::vector<Member> members;
  detail::ListMembers list(header);
  std::string_view text;
  while (list.next(text)) {
    if (text.empty()) continue;  // empty list members are allowed
    Member member;
    if (!split_member(text, member)) return ErrorCode::bad_delimiter;
    if (!TraceState::is_valid_key(member.key) || !TraceState::is_valid_value(member.value)) {
      return ErrorCode::bad_character;
    }
    for (const auto& seen : members) {
      if (seen.key == member.key) return ErrorCode::duplicate_key;
    }
    if (members.size() == TraceState::max_members) return ErrorCode::too_many_members;
    members.push_back(member);
  }
  return members;
}

std::string join(const std::vector<Member>& members) {
  std::string out;
  for (const auto& member : members) {
    if (!out.empty()) out += ',';
    out.append(member.key).append("=").append(member.value);
  }
  return out;
}

}  // namespace

TraceState::TraceState(std::string normalized)
    : header_(normalized.empty() ? nullptr
                                 : std::make_shared<const std::string>(std::move(normalized))) {}

// Level 2: key = ( lcalpha / DIGIT ) 0*255( keychar ), keychar adding "@"
// (a superset of Level 1's simple-key / tenant@system forms).
bool TraceState::is_valid_key(std::string_view key) noexcept {
  if (key.empty() || key.size() > max_key_size) return false;
  if (!is_lcalpha(key.front()) && !is_digit(key.front())) return false;
  for (char c : key) {
    if (!is_key_char(c) && c != '@') return false;
  }
  return true;
}

bool TraceState::is_valid_value(std::string_view value) noexcept {
  if (value.empty() || value.size() > max_value_size || value.back() == ' ') return false;
  for (char c : value) {
    if (!is_value_char(c)) return false;
  }
  return true;
}

Expected<TraceState> TraceState::parse(std::string_view header) {
  if (header.size() > max_header_size) return ErrorCode::too_long;
  auto members = parse_members(header);
  if (!members) return members.error();
  return TraceState(join(*members));
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
  if (!header_) return 0;
  std::size_t commas = 0;
  for (char c : *header_) commas += c == ',' ? 1 : 0;
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
  return TraceState(join(members));
}

TraceState TraceState::erase(std::string_view key) const {
  std::vector<Member> members;
  detail::ListMembers list(header());
  std::string_view text;
  Member member;
  while (list.next(text)) {
    if (split_member(text, member) && member.key != key) members.push_back(member);
  }
  return TraceState(join(members));
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
