// Parsing a JSON request body with simdjson for the JSON decoders (OTLP/JSON,
// Zipkin), and the case-insensitive hex ids both accept.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>

#include "tracemesh/expected.h"
#include "tracemesh/ids.h"

namespace tracemesh::ingest {

// One parsed body. A simdjson parser keeps the memory of its largest
// document, so small bodies reuse the thread's parser and large ones get a
// parser of their own, freed with the JsonBody.
class JsonBody {
 public:
  // Parse `body`; an Error (invalid_input, "malformed JSON: ...") otherwise.
  Expected<simdjson::dom::element> parse(std::string_view body) {
    constexpr std::size_t large_body = 1 << 20;
    thread_local simdjson::dom::parser reused;
    simdjson::dom::parser& parser = body.size() <= large_body ? reused : own_.emplace();
    simdjson::dom::element root;
    if (const auto error = parser.parse(body.data(), body.size()).get(root); error) {
      return Error{ErrorCode::invalid_input,
                   std::string("malformed JSON: ") + simdjson::error_message(error)};
    }
    return root;
  }

 private:
  std::optional<simdjson::dom::parser> own_;
};

// Return the id written as hex digits in either case, or nullopt when it is
// not Id::hex_size hex digits or is all zero.
template <typename Id>
std::optional<Id> parse_hex_id(std::string_view hex) {
  std::string lower(hex);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  auto id = Id::from_hex(lower);
  return id ? std::optional<Id>(*id) : std::nullopt;
}

}  // namespace tracemesh::ingest
