#include "tracemesh/carrier.h"

#include <cstdint>
#include <cstring>

namespace tracemesh {
namespace {

// Lowercase the ASCII letters of 8 bytes at once; other bytes are unchanged.
constexpr std::uint64_t ascii_lower8(std::uint64_t word) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t high_bits = 0x8080808080808080ULL;
  const std::uint64_t seven_bits = word & ~high_bits;
  const std::uint64_t at_least_a = seven_bits + ones * (0x80 - 'A');
  const std::uint64_t above_z = seven_bits + ones * (0x80 - 'Z' - 1);
  const std::uint64_t upper = at_least_a & ~above_z & ~word & high_bits;
  return word | (upper >> 2);  // 0x80 >> 2 == 0x20, the case bit
}

std::uint64_t load_partial(const char* bytes, std::size_t size) noexcept {
  std::uint64_t word = 0;
  std::memcpy(&word, bytes, size);
  return word;
}

}  // namespace

// Compare 8 bytes at a time; equal words (the usual case: the same spelling)
// cost one comparison, words differing only in letter case a few more.
bool header_name_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  std::size_t offset = 0;
  for (; offset + 8 <= a.size(); offset += 8) {
    const std::uint64_t left = load_partial(a.data() + offset, 8);
    const std::uint64_t right = load_partial(b.data() + offset, 8);
    if (left != right && ascii_lower8(left) != ascii_lower8(right)) return false;
  }
  const std::size_t rest = a.size() - offset;
  if (rest == 0) return true;
  const std::uint64_t left = load_partial(a.data() + offset, rest);
  const std::uint64_t right = load_partial(b.data() + offset, rest);
  return left == right || ascii_lower8(left) == ascii_lower8(right);
}

std::size_t CarrierReader::get_all(std::string_view name,
                                   std::span<std::string_view> values) const {
  const auto value = get(name);
  if (!value) return 0;
  if (!values.empty()) values[0] = *value;
  return 1;
}

}  // namespace tracemesh
