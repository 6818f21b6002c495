// gtest printers for SDK value types, found by argument-dependent lookup.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>
#include <variant>

#include "tracemesh/attribute.h"

namespace tracemesh {

// Print attribute values readably in failure messages.
inline void PrintTo(const AttributeValue& value, std::ostream* out) {
  std::visit(
      [out](const auto& item) {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, std::string>) {
          *out << ::testing::PrintToString(item);
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> ||
                             std::is_same_v<T, double>) {
          *out << item;
        } else {
          *out << ::testing::PrintToString(item);
        }
      },
      value.variant());
}

}  // namespace tracemesh
