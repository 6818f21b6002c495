// Errors as values for everything that crosses the SDK boundary.
//
// Every fallible SDK function returns `Expected<T>`: either a value or an
// `Error` whose `code` is stable (it is part of the API and never renumbered)
// and whose `message` adds detail for humans. Propagation failures carry an
// empty message so that a rejected header costs no allocation; `describe()`
// turns any code into a fixed sentence.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace tracemesh {

// Why an operation failed. Values are stable; new codes are only appended.
enum class ErrorCode : int {
  // Extraction of a context from a carrier.
  missing_header = 1,     // the carrier holds no header for this format
  bad_length = 2,         // a field or header has the wrong number of characters
  bad_version = 3,        // version field is malformed or forbidden (e.g. "ff")
  bad_character = 4,      // a character outside the format's grammar
  zero_trace_id = 5,      // trace id of all zeros
  zero_span_id = 6,       // span (parent) id of all zeros
  bad_flags = 7,          // trace flags / sampling state malformed
  bad_delimiter = 8,      // a separator ('-', '=', ',') missing or misplaced
  too_many_members = 9,   // tracestate or baggage over its member limit
  too_long = 10,          // header over its size limit
  duplicate_key = 11,     // the same key twice (no longer returned: tracestate keeps the first)
  duplicate_header = 12,  // several headers where the format allows one
  no_ids = 13,            // a header with a sampling decision but no trace/span ids
  carrier_failed = 14,    // the carrier (or the allocator) threw during extraction
  // Configuration.
  invalid_config = 100,   // a configuration value is out of range or malformed
  unknown_name = 101,     // an unknown propagator, sampler or exporter name
  io_error = 102,         // a file could not be opened or written
  invalid_input = 103,    // malformed input to a tool or example (not a header)
  transport_error = 104,  // a network request failed (connection, timeout, protocol)
};

// Return a fixed, human-readable sentence for `code`.
std::string_view describe(ErrorCode code) noexcept;

// Return the code's stable snake_case name ("missing_header", "bad_version", ...),
// as it appears in the enum; suitable for logs and metric labels.
std::string_view to_string(ErrorCode code) noexcept;

// A failure: a stable code plus optional detail.
struct Error {
  ErrorCode code;
  std::string message;  // empty for propagation failures; see describe(code)

  // Return `message` when present, otherwise describe(code).
  std::string_view text() const noexcept { return message.empty() ? describe(code) : message; }
  friend bool operator==(const Error&, const Error&) = default;
};

// A value of type T or an Error. Accessing the wrong alternative is a
// programming error checked by assert in debug builds.
template <typename T>
class Expected {
 public:
  Expected(T value) : storage_(std::in_place_index<0>, std::move(value)) {}        // NOLINT
  Expected(Error error) : storage_(std::in_place_index<1>, std::move(error)) {}    // NOLINT
  Expected(ErrorCode code) : storage_(std::in_place_index<1>, Error{code, {}}) {}  // NOLINT

  bool has_value() const noexcept { return storage_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & {
    assert(has_value());
    return *std::get_if<0>(&storage_);
  }
  const T& value() const& {
    assert(has_value());
    return *std::get_if<0>(&storage_);
  }
  T&& value() && {
    assert(has_value());
    return std::move(*std::get_if<0>(&storage_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!has_value());
    return *std::get_if<1>(&storage_);
  }

 private:
  std::variant<T, Error> storage_;
};

// The outcome of an operation that produces no value.
template <>
class Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT
  Expected(ErrorCode code) : error_{code, {}}, failed_(true) {}       // NOLINT

  bool has_value() const noexcept { return !failed_; }
  explicit operator bool() const noexcept { return has_value(); }
  const Error& error() const {
    assert(failed_);
    return error_;
  }

 private:
  Error error_{ErrorCode::invalid_config, {}};
  bool failed_ = false;
};

}  // namespace tracemesh
