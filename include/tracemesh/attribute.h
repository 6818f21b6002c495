// Typed span and resource attributes, as OpenTelemetry defines them.
//
// A value is a bool, a 64-bit integer, a double, a string, or a homogeneous
// array of one of those. Construction is explicit per type so that a string
// literal never turns into a bool. Integers are stored as int64_t, as in
// OpenTelemetry: an unsigned value above INT64_MAX wraps to a negative number
// (pass it as a string if it can be that large).
#pragma once

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tracemesh {

class AttributeValue {
 public:
  using Variant =
      std::variant<bool, std::int64_t, double, std::string, std::vector<bool>,
                   std::vector<std::int64_t>, std::vector<double>, std::vector<std::string>>;

  AttributeValue() : value_(false) {}
  AttributeValue(bool value) : value_(value) {}  // NOLINT(google-explicit-constructor)
  template <std::integral T>
  requires(!std::same_as<T, bool>) AttributeValue(T value)
      : value_(static_cast<std::int64_t>(value)) {}                              // NOLINT
  AttributeValue(double value) : value_(value) {}                                // NOLINT
  AttributeValue(const char* value) : value_(std::string(value)) {}              // NOLINT
  AttributeValue(std::string_view value) : value_(std::string(value)) {}         // NOLINT
  AttributeValue(std::string value) : value_(std::move(value)) {}                // NOLINT
  AttributeValue(std::vector<bool> value) : value_(std::move(value)) {}          // NOLINT
  AttributeValue(std::vector<std::int64_t> value) : value_(std::move(value)) {}  // NOLINT
  AttributeValue(std::vector<double> value) : value_(std::move(value)) {}        // NOLINT
  AttributeValue(std::vector<std::string> value) : value_(std::move(value)) {}   // NOLINT
  AttributeValue(std::initializer_list<std::string_view> values)                 // NOLINT
      : value_(std::vector<std::string>(values.begin(), values.end())) {}

  const Variant& variant() const noexcept { return value_; }
  Variant& variant() noexcept { return value_; }

  template <typename T>
  const T* get_if() const noexcept {
    return std::get_if<T>(&value_);
  }
  friend bool operator==(const AttributeValue&, const AttributeValue&) = default;

 private:
  Variant value_;
};

struct Attribute {
  std::string key;
  AttributeValue value;
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

using Attributes = std::vector<Attribute>;

// Return the value stored under `key`, or null.
const AttributeValue* find_attribute(const Attributes& attributes, std::string_view key) noexcept;

// Set `key` to `value` in `attributes`, replacing an existing entry.
void set_attribute(Attributes& attributes, std::string_view key, AttributeValue value);

}  // namespace tracemesh
