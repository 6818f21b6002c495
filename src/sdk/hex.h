// Hex digit helpers shared by the id types and the propagators (internal).
//
// Decoding validates and converts in one pass with no branch per character
// (table-driven, or 16 digits at a time with SSE2); encoding writes 16 digits
// per 8 bytes with SSE2, else two digits per byte from a table. These sit on
// the hot path of every extract and inject.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tracemesh::detail {

inline constexpr std::uint8_t not_hex = 0xff;

// Digit value for every byte; not_hex for bytes that are not a digit of the table's kind.
constexpr std::array<std::uint8_t, 256> make_hex_table(bool accept_uppercase) {
  std::array<std::uint8_t, 256> table{};
  for (auto& entry : table) entry = not_hex;
  for (int c = '0'; c <= '9'; ++c)
    table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
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

// Decode hex of either case.
inline bool decode_hex(std::string_view text, std::uint8_t* out) noexcept {
  return decode_hex_with(any_case_hex_table, text, out);
}

// Decode 16 lowercase hex digits at `digits` into the 8 bytes at `out`;
// false when any digit is not 0-9 or a-f. With SSE2 (every x86-64) this is a
// dozen vector instructions: range compares, a subtraction, and a pack.
inline bool decode_lower_hex16(const char* digits, std::uint8_t* out) noexcept {
#if defined(__SSE2__)
  const __m128i text = _mm_loadu_si128(reinterpret_cast<const __m128i*>(digits));
  // Flip the sign bit so that signed byte compares order bytes as unsigned.
  const __m128i flipped = _mm_xor_si128(text, _mm_set1_epi8(static_cast<char>(0x80)));
  const auto in_range = [&flipped](int low, int high) {
    const __m128i below = _mm_set1_epi8(static_cast<char>((low - 1) ^ 0x80));
    const __m128i above = _mm_set1_epi8(static_cast<char>((high + 1) ^ 0x80));
    return _mm_and_si128(_mm_cmpgt_epi8(flipped, below), _mm_cmplt_epi8(flipped, above));
  };
  const __m128i digit = in_range('0', '9');
  const __m128i letter = in_range('a', 'f');
  if (_mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xffff) return false;
  const __m128i offset = _mm_or_si128(_mm_and_si128(digit, _mm_set1_epi8('0')),
                                      _mm_and_si128(letter, _mm_set1_epi8('a' - 10)));
  const __m128i nibbles = _mm_sub_epi8(text, offset);
  // Each 16-bit lane holds (first digit, second digit); make it one byte.
  const __m128i pairs =
      _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nibbles, _mm_set1_epi16(0x00ff)), 4),
                   _mm_srli_epi16(nibbles, 8));
  _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packus_epi16(pairs, pairs));
  return true;
#else
  return decode_hex_with(lower_hex_table, std::string_view(digits, 16), out);
#endif
}

// Decode lowercase hex only (the W3C and B3 wire formats).
inline bool decode_lower_hex(std::string_view text, std::uint8_t* out) noexcept {
  std::size_t offset = 0;
  bool valid = true;
  for (; offset + 16 <= text.size(); offset += 16) {
    valid &= decode_lower_hex16(text.data() + offset, out + offset / 2);
  }
  return decode_hex_with(lower_hex_table, text.substr(offset), out + offset / 2) && valid;
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

// Write 16 lowercase hex digits for the 8 bytes at `bytes` into `out`.
inline void encode_hex8(const std::uint8_t* bytes, char* out) noexcept {
#if defined(__SSE2__)
  const __m128i value = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(bytes));
  const __m128i low_nibbles = _mm_set1_epi8(0x0f);
  const __m128i high = _mm_and_si128(_mm_srli_epi16(value, 4), low_nibbles);
  const __m128i low = _mm_and_si128(value, low_nibbles);
  const __m128i nibbles = _mm_unpacklo_epi8(high, low);  // digits in output order
  const __m128i letters =
      _mm_and_si128(_mm_cmpgt_epi8(nibbles, _mm_set1_epi8(9)), _mm_set1_epi8('a' - '0' - 10));
  const __m128i chars = _mm_add_epi8(_mm_add_epi8(nibbles, _mm_set1_epi8('0')), letters);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(out), chars);
#else
  for (std::size_t i = 0; i < 8; ++i)
    std::memcpy(out + 2 * i, &byte_digits[std::size_t{2} * bytes[i]], 2);
#endif
}

// Write 2*size lowercase hex digits for `bytes` into `out`.
inline void encode_hex(const std::uint8_t* bytes, std::size_t size, char* out) noexcept {
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) encode_hex8(bytes + i, out + 2 * i);
  for (; i < size; ++i) std::memcpy(out + 2 * i, &byte_digits[std::size_t{2} * bytes[i]], 2);
}

}  // namespace tracemesh::detail
