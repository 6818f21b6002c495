// Reading OTLP/JSON fields with simdjson: the errors that reject a whole
// request or one span, and the readers for the scalar encodings OTLP/JSON
// allows (64-bit integers as numbers or decimal strings, enums as integers,
// ids as hex). Internal to the ingest layer's OTLP/JSON decoder.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ingest/json_body.h"

namespace tracemesh::ingest::otlp_json {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Whether `key` is the field whose lowerCamelCase JSON name is `camel` and
// proto name is `snake`.
inline bool is_field(std::string_view key, std::string_view camel, std::string_view snake) {
  return key == camel || key == snake;
}

// A request-level structural error: the whole body is rejected.
struct MalformedRequest {
  std::string message;
};

// A span-level problem: the span is rejected, the request goes on.
struct InvalidSpan {
  std::string reason;
};

// `value` as an array or object; MalformedRequest naming `where` otherwise.
array array_field(element value, std::string_view where);
object object_field(element value, std::string_view where);

// Readers of a span's fields: InvalidSpan naming `field` when the value is
// not of the type. An unsigned or signed 64-bit integer is written as a
// number or as a decimal string.
std::uint64_t read_uint64(element value, std::string_view field);
std::int64_t read_int64(element value, std::string_view field);
// Enums are integers in OTLP/JSON; a name is an error the sender should hear about.
std::int64_t read_enum(element value, std::string_view field);
std::string_view read_string(element value, std::string_view field);

// An id written as hex digits; empty is the all-zero id when `allow_empty`.
template <typename Id>
Id read_id(element value, std::string_view field, bool allow_empty) {
  const std::string_view hex = read_string(value, field);
  if (hex.empty() && allow_empty) return Id{};
  const auto id = parse_hex_id<Id>(hex);
  if (!id) {
    throw InvalidSpan{std::string(field) + " must be " + std::to_string(Id::hex_size) +
                      " hex digits, not all zero"};
  }
  return *id;
}

}  // namespace tracemesh::ingest::otlp_json
