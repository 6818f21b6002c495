// FNV-1a, 64-bit: a cheap, stable hash of bytes for keys the tools derive and
// store (a log record's digest, a file's first bytes, a derived span id).
// Not for anything an attacker must not collide.
#pragma once

#include <cstdint>
#include <string_view>

namespace tracemesh::model {

inline constexpr std::uint64_t fnv1a_basis = 14695981039346656037ULL;

// Return the hash of `bytes`, continuing from `hash` (so several pieces hash as one).
constexpr std::uint64_t fnv1a(std::string_view bytes, std::uint64_t hash = fnv1a_basis) noexcept {
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

}  // namespace tracemesh::model
