// The spans table read back: the columns every span query selects, in the
// order read_span() reads them, and the trace's spans by id, which settling
// and the query API both read.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "collector/store/sqlite.h"
#include "model/span_record.h"

namespace tracemesh::collector {

#define TRACEMESH_SPAN_COLUMNS                                                                \
  "trace_id, span_id, parent_span_id, service, name, kind, start_unix_nano, end_unix_nano, "  \
  "status_code, status_message, attributes, events, links, "                                  \
  "(SELECT attributes FROM resources WHERE id = resource_id), scope, "                        \
  "destination_address, destination_port, destination_path, messaging_system, "               \
  "messaging_destination, propagation_format, propagation_error, received_unix_nano, flags, " \
  "link_refs"

inline constexpr const char* select_spans_sql =
    "SELECT " TRACEMESH_SPAN_COLUMNS
    " FROM spans WHERE trace_id = ?1 ORDER BY start_unix_nano, parent_span_id IS NOT NULL, span_id";

// The id held in `blob` (a BLOB column); all zero when its size is not the id's.
template <typename Id>
Id id_from_blob(std::string_view blob) {
  Id id;
  if (blob.size() == id.bytes.size()) std::memcpy(id.bytes.data(), blob.data(), blob.size());
  return id;
}

// The span of a row selected with TRACEMESH_SPAN_COLUMNS.
model::SpanRecord read_span(const Statement& row);

// Read every span of `trace_id` with `select` (select_spans_sql); returns the
// latest received time too.
std::vector<model::SpanRecord> load_trace(Statement& select, const TraceId& trace_id,
                                          std::uint64_t& last_received);

}  // namespace tracemesh::collector
