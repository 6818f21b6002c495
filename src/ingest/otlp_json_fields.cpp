#include "ingest/otlp_json_fields.h"

#include <charconv>

namespace tracemesh::ingest::otlp_json {

array array_field(element value, std::string_view where) {
  array result;
  if (value.get_array().get(result) != simdjson::SUCCESS) {
    throw MalformedRequest{std::string(where) + " must be an array"};
  }
  return result;
}

object object_field(element value, std::string_view where) {
  object result;
  if (value.get_object().get(result) != simdjson::SUCCESS) {
    throw MalformedRequest{std::string(where) + " must be an object"};
  }
  return result;
}

// Read an unsigned 64-bit integer written as a number or as a decimal string.
std::uint64_t read_uint64(element value, std::string_view field) {
  std::uint64_t result = 0;
  if (value.get_uint64().get(result) == simdjson::SUCCESS) return result;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
    if (error == std::errc() && end == text.data() + text.size() && !text.empty()) return result;
  }
  throw InvalidSpan{std::string(field) + " must be an unsigned 64-bit integer (number or string)"};
}

std::int64_t read_int64(element value, std::string_view field) {
  std::int64_t result = 0;
  if (value.get_int64().get(result) == simdjson::SUCCESS) return result;
  std::string_view text;
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), result);
    if (error == std::errc() && end == text.data() + text.size() && !text.empty()) return result;
  }
  throw InvalidSpan{std::string(field) + " must be a 64-bit integer (number or string)"};
}

// Enums are integers in OTLP/JSON; a name is an error the sender should hear about.
std::int64_t read_enum(element value, std::string_view field) {
  std::int64_t result = 0;
  if (value.get_int64().get(result) == simdjson::SUCCESS) return result;
  throw InvalidSpan{std::string(field) +
                    " must be an integer (OTLP/JSON encodes enums as integers)"};
}

std::string_view read_string(element value, std::string_view field) {
  std::string_view text;
  if (value.get_string().get(text) != simdjson::SUCCESS) {
    throw InvalidSpan{std::string(field) + " must be a string"};
  }
  return text;
}

}  // namespace tracemesh::ingest::otlp_json
