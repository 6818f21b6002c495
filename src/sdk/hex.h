// Hex digit helpers shared by the id types and the propagators (internal).
//
// Decoding validates and converts in one table-driven pass with no branch per
// character; encoding writes two digits per byte from a 256-entry table.
// These sit on the hot path of every extract and inject.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tracemesh::detail {

inline constexpr std::uint8_t not_hex = 0xff;

// Digit value for every byte; not_hex for bytes that are not a digit of the table's kind.
constexpr std::array<std::uint8_t, 256> make_hex_table(bool accept_uppercase) {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = not_hex;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) {
    table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
  }
  if (accept_uppercase) {
    for (int c = 'A'; c <= 'F'; ++c) {
      table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'A' + 10);
    }
  }
  return table;
}
inline constexpr auto any_case_hex_table = make_hex_table(true);
inline constexpr auto lower_hex_table = make_hex_table(false);

// Return the value of a hex digit (either case), or -1.
constexpr int hex_value(char c) noexcept {
  const std::uint8_t value = any_case_hex_table[static_cast<unsigned char>(c)];
  return value == not_hex ? -1 : value;
}

// Return whether every character is a lowercase hex digit.
constexpr bool is_lower_hex(std::string_view text) noexcept {
  std::uint8_t seen = 0;
  for (char c : text) seen |= lower_hex_table[static_cast<unsigned char>(c)];
  return (seen & 0xf0) == 0;
}

// Decode text.size()/2 bytes into `out` using `table`; false when any
// character is not a digit of the table's kind (out is then unspecified).
inline bool decode_hex_with(const std::array<std::uint8_t, 256>& table, std::string_view text,
                            std::uint8_t* out) noexcept {
  std::uint8_t invalid = 0;
  const auto* chars = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    const std::uint8_t high = table[chars[i]];
    const std::uint8_t low = table[chars[i + 1]];
    invalid |= static_cast<std::uint8_t>(high | low);
    out[i / 2] = static_cast<std::uint8_t>((high << 4) | (low & 0x0f));
  }
  return (invalid & 0xf0) == 0;
}

// Convert 8 lowercase hex digits, loaded little-endian into `word` (first
// digit in the lowest byte), to their 32-bit value; false when any byte is
// not 0-9 or a-f. Word-at-a-time: each range test sets a byte's high bit
// without carrying into its neighbour because every byte is below 0x80.
inline bool lower_hex8_to_u32(std::uint64_t word, std::uint32_t& value) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  if ((word & high_bits) != 0) return false;
  const std::uint64_t at_least_0 = word + ones * (0x80 - '0');
  const std::uint64_t above_9 = word + ones * (0x80 - '9' - 1);
  const std::uint64_t at_least_a = word + ones * (0x80 - 'a');
  const std::uint64_t above_f = word + ones * (0x80 - 'f' - 1);
  const std::uint64_t valid = (at_least_0 & ~above_9) | (at_least_a & ~above_f);
  if ((valid & high_bits) != high_bits) return false;
  // '0'-'9' -> low nibble; 'a'-'f' -> low nibble (1-6) + 9 (bit 6 marks the letters).
  std::uint64_t nibbles = (word & 0x0f0f0f0f0f0f0f0fULL) + ((word >> 6) & ones) * 9;
  // Gather: byte pairs, then 16-bit pairs, then 32-bit pairs, first digit most significant.
  nibbles = ((nibbles & 0x0f000f000f000f00ULL) >> 8) | ((nibbles & 0x000f000f000f000fULL) << 4);
  nibbles = ((nibbles & 0x00ff000000ff0000ULL) >> 16) | ((nibbles & 0x000000ff000000ffULL) << 8);
  nibbles = ((nibbles >> 32) & 0xffffULL) | ((nibbles & 0xffffULL) << 16);
  value = static_cast<std::uint32_t>(nibbles);
  return true;
}

// Parse exactly 16 lowercase hex digits at `digits` as a big-endian 64-bit value.
inline bool parse_lower_hex_u64(const char* digits, std::uint64_t& value) noexcept {
  if constexpr (std::endian::native == std::endian::little) {
    std::uint64_t first = 0;
    std::uint64_t second = 0;
    std::memcpy(&first, digits, 8);
    std::memcpy(&second, digits + 8, 8);
    std::uint32_t high = 0;
    std::uint32_t low = 0;
    const bool ok = lower_hex8_to_u32(first, high) & lower_hex8_to_u32(second, low);
    value = (std::uint64_t{high} << 32) | low;
    return ok;
  } else {
    std::uint64_t result = 0;
    std::uint8_t invalid = 0;
    for (int i = 0; i < 16; ++i) {
      const std::uint8_t digit = lower_hex_table[static_cast<unsigned char>(digits[i])];
      invalid |= digit;
      result = (result << 4) | (digit & 0x0fU);
    }
    value = result;
    return (invalid & 0xf0) == 0;
  }
}

// Decode hex of either case.
inline bool decode_hex(std::string_view text, std::uint8_t* out) noexcept {
  return decode_hex_with(any_case_hex_table, text, out);
}

// Decode lowercase hex only (the W3C and B3 wire formats).
inline bool decode_lower_hex(std::string_view text, std::uint8_t* out) noexcept {
  return decode_hex_with(lower_hex_table, text, out);
}

// Two lowercase digits for every byte value.
constexpr std::array<char, 512> make_byte_digits() {
  constexpr char digits[] = "0123456789abcdef";
  std::array<char, 512> table{};
  for (std::size_t byte = 0; byte < 256; ++byte) {
    table[2 * byte] = digits[byte >> 4];
    table[2 * byte + 1] = digits[byte & 0x0f];
  }
  return table;
}
inline constexpr auto byte_digits = make_byte_digits();

// Write 2*size lowercase hex digits for `bytes` into `out`.
inline void encode_hex(const std::uint8_t* bytes, std::size_t size, char* out) noexcept {
  for (std::size_t i = 0; i < size; ++i) std::memcpy(out + 2 * i, &byte_digits[2 * bytes[i]], 2);
}

}  // namespace tracemesh::detail
