// SHA-256 (FIPS 180-4), used to map arbitrary legacy id strings to stable ids (internal).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tracemesh::detail {

// Return the SHA-256 digest of `data`.
std::array<std::uint8_t, 32> sha256(std::string_view data) noexcept;

}  // namespace tracemesh::detail
