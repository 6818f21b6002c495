#include "tracemesh/ids.h"

#include <bit>
#include <cstring>

#include "sdk/hex.h"

namespace tracemesh {
namespace {

template <typename Id>
Expected<Id> parse_id(std::string_view hex, ErrorCode zero_code) noexcept {
  if (hex.size() != Id::hex_size) return ErrorCode::bad_length;
  Id id;
  if (!detail::decode_hex(hex, id.bytes.data())) return ErrorCode::bad_character;
  if (!id.is_valid()) return zero_code;
  return id;
}

std::uint64_t load_big_endian(const std::uint8_t* bytes) noexcept {
  std::uint64_t value = 0;
  std::memcpy(&value, bytes, sizeof(value));
  if constexpr (std::endian::native == std::endian::little) value = __builtin_bswap64(value);
  return value;
}

void store_big_endian(std::uint64_t value, std::uint8_t* bytes) noexcept {
  if constexpr (std::endian::native == std::endian::little) value = __builtin_bswap64(value);
  std::memcpy(bytes, &value, sizeof(value));
}

}  // namespace

TraceId TraceId::random() noexcept {
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  while (high == 0 && low == 0) {
    high = random_uint64();
    low = random_uint64();
  }
  return from_halves(high, low);
}

Expected<TraceId> TraceId::from_hex(std::string_view hex) noexcept {
  return parse_id<TraceId>(hex, ErrorCode::zero_trace_id);
}

TraceId TraceId::from_halves(std::uint64_t high, std::uint64_t low) noexcept {
  TraceId id;
  store_big_endian(high, id.bytes.data());
  store_big_endian(low, id.bytes.data() + 8);
  return id;
}

void TraceId::to_hex(char* out) const noexcept {
  detail::encode_hex(bytes.data(), 16, out);
}

std::string TraceId::to_hex() const {
  std::string text(hex_size, '0');
  to_hex(text.data());
  return text;
}

std::uint64_t TraceId::high() const noexcept {
  return load_big_endian(bytes.data());
}
std::uint64_t TraceId::low() const noexcept {
  return load_big_endian(bytes.data() + 8);
}

SpanId SpanId::random() noexcept {
  std::uint64_t value = 0;
  while (value == 0) value = random_uint64();
  return from_uint64(value);
}

Expected<SpanId> SpanId::from_hex(std::string_view hex) noexcept {
  return parse_id<SpanId>(hex, ErrorCode::zero_span_id);
}

SpanId SpanId::from_uint64(std::uint64_t value) noexcept {
  SpanId id;
  store_big_endian(value, id.bytes.data());
  return id;
}

void SpanId::to_hex(char* out) const noexcept {
  detail::encode_hex(bytes.data(), 8, out);
}

std::string SpanId::to_hex() const {
  std::string text(hex_size, '0');
  to_hex(text.data());
  return text;
}

std::uint64_t SpanId::to_uint64() const noexcept {
  return load_big_endian(bytes.data());
}

}  // namespace tracemesh
