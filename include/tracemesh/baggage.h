// W3C Baggage: application-defined key/value pairs that travel with a request.
//
// Baggage is immutable and cheap to copy (a shared pointer, null when empty).
// Values are stored decoded (percent-decoding applied) and encoded again on
// injection. Limits follow W3C Baggage: at most 64 list members and 8192
// bytes of header; members beyond either limit are dropped, never the whole
// header. Input beyond max_input_size (four times the header limit, room for
// optional whitespace and malformed members) is not read at all.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracemesh/expected.h"

namespace tracemesh {

class Baggage {
 public:
  static constexpr std::size_t max_members = 64;
  static constexpr std::size_t max_header_size = 8192;
  static constexpr std::size_t max_input_size = 4 * max_header_size;

  struct Entry {
    std::string key;
    std::string value;     // decoded
    std::string metadata;  // the properties after ';', kept verbatim (normalized whitespace)
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // The result of parsing: the baggage kept and how many members were dropped.
  struct Parsed;

  Baggage() = default;

  // Parse a baggage header. Fails when any member is malformed or a limit is
  // exceeded; use parse_lenient() to keep the valid members of such a header.
  static Expected<Baggage> parse(std::string_view header);
  // Parse a baggage header, skipping malformed members and members over the limits.
  static Parsed parse_lenient(std::string_view header);

  // Return the value stored under `key`, if any.
  std::optional<std::string_view> get(std::string_view key) const noexcept;
  // Return a copy with `key` set (replacing any previous value). Fails on a
  // key that is not an RFC 7230 token or when the limits would be exceeded.
  Expected<Baggage> set(std::string_view key, std::string_view value,
                        std::string_view metadata = {}) const;
  // Return a copy without `key`.
  Baggage erase(std::string_view key) const;

  bool empty() const noexcept { return !entries_ || entries_->empty(); }
  std::size_t size() const noexcept { return entries_ ? entries_->size() : 0; }
  // Return the members in header order.
  const std::vector<Entry>& entries() const noexcept;
  // Return the encoded header value, at most max_header_size bytes.
  std::string to_header() const;

  friend bool operator==(const Baggage& a, const Baggage& b) noexcept {
    return a.entries() == b.entries();
  }

 private:
  explicit Baggage(std::vector<Entry> entries);
  std::shared_ptr<const std::vector<Entry>> entries_;
};

struct Baggage::Parsed {
  Baggage baggage;
  std::size_t dropped = 0;  // malformed or over-limit members skipped
};

}  // namespace tracemesh
