#include "tracemesh/carrier.h"

namespace tracemesh {
namespace {
constexpr char ascii_lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool header_name_equals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::size_t CarrierReader::get_all(std::string_view name,
                                   std::span<std::string_view> values) const {
  const auto value = get(name);
  if (!value) return 0;
  if (!values.empty()) values[0] = *value;
  return 1;
}

}  // namespace tracemesh
