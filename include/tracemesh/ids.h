// Trace and span identifiers.
//
// A `TraceId` is 16 bytes and a `SpanId` 8 bytes, both stored big-endian as
// they appear in hex on the wire. The all-zero value of each is invalid by
// the W3C Trace Context spec and is what a default-constructed id holds.
// Random ids come from a fast per-thread generator that is reseeded in the
// child after fork(), so two processes never share a sequence.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "tracemesh/expected.h"

namespace tracemesh {

namespace detail {
template <std::size_t N>
struct IdBytes {
  std::array<std::uint8_t, N> bytes{};

  bool is_valid() const noexcept {
    std::uint64_t words[N / 8];
    std::memcpy(words, bytes.data(), N);
    std::uint64_t any = 0;
    for (auto word : words) any |= word;
    return any != 0;
  }
  friend bool operator==(const IdBytes&, const IdBytes&) = default;
  friend auto operator<=>(const IdBytes&, const IdBytes&) = default;
};
}  // namespace detail

// A 128-bit trace identifier.
struct TraceId : detail::IdBytes<16> {
  static constexpr std::size_t hex_size = 32;

  // Return a random, non-zero id from this thread's generator.
  static TraceId random() noexcept;
  // Parse exactly 32 hex digits (either case). Zero is reported as zero_trace_id.
  static Expected<TraceId> from_hex(std::string_view hex) noexcept;
  // Return the id whose big-endian halves are `high` and `low`.
  static TraceId from_halves(std::uint64_t high, std::uint64_t low) noexcept;

  // Write 32 lowercase hex digits to `out` (which must hold 32 chars).
  void to_hex(char* out) const noexcept;
  // Return 32 lowercase hex digits.
  std::string to_hex() const;
  // Return the high (first 8 bytes) and low (last 8 bytes) halves.
  std::uint64_t high() const noexcept;
  std::uint64_t low() const noexcept;
};

// A 64-bit span identifier.
struct SpanId : detail::IdBytes<8> {
  static constexpr std::size_t hex_size = 16;

  // Return a random, non-zero id from this thread's generator.
  static SpanId random() noexcept;
  // Parse exactly 16 hex digits (either case). Zero is reported as zero_span_id.
  static Expected<SpanId> from_hex(std::string_view hex) noexcept;
  // Return the id whose big-endian value is `value`.
  static SpanId from_uint64(std::uint64_t value) noexcept;

  void to_hex(char* out) const noexcept;
  std::string to_hex() const;
  std::uint64_t to_uint64() const noexcept;
};

// Return 64 random bits from this thread's generator (never blocks, never throws).
std::uint64_t random_uint64() noexcept;

}  // namespace tracemesh
