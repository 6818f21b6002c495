// W3C `tracestate`: vendor-specific key/value pairs that travel with a trace.
//
// A TraceState is immutable and cheap to copy (one shared pointer, null when
// empty, so the common case allocates nothing; parsing a non-empty header
// allocates once). It holds the list in its
// normalized header form ("k1=v1,k2=v2": no optional whitespace, no empty
// members). Parsing follows W3C Trace Context Level 2, section 3.3: at most
// 32 list members; keys of 1 to 256 characters from a-z 0-9 _ - * / @
// starting with a letter or digit (so tenant@system keys, and `foo@`, as the
// current W3C conformance suite expects); values of 1 to 256 printable
// characters other than ',' and '=', not ending in a space. Any violation
// rejects the whole header, as the spec requires. A key given twice keeps its
// first member and drops the later ones (the spec allows keeping either), so
// the state is still inherited.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tracemesh/expected.h"

namespace tracemesh {

class TraceState {
 public:
  static constexpr std::size_t max_members = 32;
  static constexpr std::size_t max_key_size = 256;
  static constexpr std::size_t max_value_size = 256;
  // Input limit for a (combined) header: 32 members of maximal size plus separators.
  static constexpr std::size_t max_header_size = 32 * (256 + 1 + 256) + 31 * 3;
  // What inject() writes at most (the spec asks to propagate at least 512 characters).
  static constexpr std::size_t default_propagated_size = 512;

  TraceState() = default;

  // Parse a tracestate header value (several headers joined with ',').
  // An empty or whitespace-only value is valid and yields an empty state.
  static Expected<TraceState> parse(std::string_view header);

  // Return whether `key` / `value` match the W3C grammar.
  static bool is_valid_key(std::string_view key) noexcept;
  static bool is_valid_value(std::string_view value) noexcept;

  // Return the value stored under `key`, if any.
  std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Return a copy with `key` set to `value`, moved to the front (the spec's
  // "most recently updated first"); the last member is dropped when the list
  // would exceed 32 members. Fails on an invalid key or value.
  Expected<TraceState> set(std::string_view key, std::string_view value) const;
  // Return a copy without `key`.
  TraceState erase(std::string_view key) const;

  bool empty() const noexcept { return size_ == 0; }
  // Return the number of list members.
  std::size_t size() const noexcept;
  // Return the normalized header ("" when empty).
  std::string_view header() const noexcept { return {chars_.get(), size_}; }
  // Return the header truncated to at most `max_size` characters the way the
  // spec recommends: members over 128 characters go first, then members from the end.
  std::string truncated_header(std::size_t max_size = default_propagated_size) const;

  friend bool operator==(const TraceState& a, const TraceState& b) noexcept {
    return a.header() == b.header();
  }

 private:
  // Return a state holding `normalized` (already validated) in one allocation.
  static TraceState from_normalized(std::string_view normalized);
  std::shared_ptr<const char[]> chars_;
  std::uint32_t size_ = 0;
};

}  // namespace tracemesh
