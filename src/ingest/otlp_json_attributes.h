// OTLP attributes (KeyValue lists of AnyValue) written as the JSON text the
// model keeps (span_record.h): each key mapped to a plain JSON value, arrays
// and kvlists nested up to a depth limit; the destination facts integrity
// analysis needs are noted on the span as they pass. Internal to the
// OTLP/JSON decoder: problems are thrown as InvalidSpan (otlp_json_fields.h).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ingest/otlp_json_fields.h"
#include "model/span_record.h"

namespace tracemesh::ingest::otlp_json {

class AttributeWriter {
 public:
  explicit AttributeWriter(std::size_t max_depth) : max_depth_(max_depth) {}

  // Append an AnyValue as a plain JSON value.
  void append_value(std::string& out, element value, std::size_t depth) const;

  // Append a KeyValue list as a JSON object, noting destination facts in `span`.
  void append_attributes(std::string& out, element list, model::SpanRecord* span) const;

 private:
  static double read_double(element value);
  void append_array(std::string& out, element value, std::size_t depth) const;
  void append_kvlist(std::string& out, element value, std::size_t depth) const;
  static object object_or_reject(element value, std::string_view field);
  // Record the destination facts of a string or integer attribute.
  static void note(model::SpanRecord& span, std::string_view key, element value);

  std::size_t max_depth_;
};

// The service.name string among a resource's attributes (a KeyValue
// list); "" when there is none.
std::string read_service(element resource_attributes);

}  // namespace tracemesh::ingest::otlp_json
