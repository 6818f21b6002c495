// Reading OTLP protobuf values for the protobuf decoders (traces, logs):
// ids of the right size, and attributes (KeyValue lists of AnyValue) written
// as the JSON text the model keeps, nested up to a depth limit, with the
// destination facts integrity analysis needs noted on a span as they pass.
// Internal to the ingest layer: problems are thrown as InvalidSpan.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

#include "model/span_record.h"
#include "otlp_trace.pb.h"

namespace tracemesh::ingest::otlp_protobuf {

// A problem with one span (or log record): it is rejected, the request goes on.
struct InvalidSpan {
  std::string reason;
};

// An id of Id's size; the all-zero id when empty and `allow_empty`.
template <typename Id>
Id read_id(const std::string& bytes, std::string_view field, bool allow_empty) {
  Id id;
  if (bytes.empty() && allow_empty) return id;
  if (bytes.size() != id.bytes.size()) {
    throw InvalidSpan{std::string(field) + " must be " + std::to_string(id.bytes.size()) +
                      " bytes, not " + std::to_string(bytes.size())};
  }
  std::memcpy(id.bytes.data(), bytes.data(), id.bytes.size());
  if (!id.is_valid()) throw InvalidSpan{std::string(field) + " must not be all zero"};
  return id;
}

// Append `bytes` as a JSON string of their base64.
void append_base64(std::string& out, const std::string& bytes);

class AttributeWriter {
 public:
  explicit AttributeWriter(std::size_t max_depth) : max_depth_(max_depth) {}

  // Append an AnyValue as a plain JSON value.
  void append_value(std::string& out, const otlp::AnyValue& value, std::size_t depth) const;

  // Append a KeyValue list as a JSON object, noting destination facts in `span`.
  void append_attributes(std::string& out,
                         const google::protobuf::RepeatedPtrField<otlp::KeyValue>& attributes,
                         model::SpanRecord* span, std::size_t depth = 0) const;

 private:
  std::size_t max_depth_;
};

}  // namespace tracemesh::ingest::otlp_protobuf
