#include "collector/store/span_rows.h"

#include <algorithm>
#include <memory>

namespace tracemesh::collector {

model::SpanRecord read_span(const Statement& row) {
  model::SpanRecord span;
  span.trace_id = id_from_blob<TraceId>(row.column_blob(0));
  span.span_id = id_from_blob<SpanId>(row.column_blob(1));
  span.parent_span_id = id_from_blob<SpanId>(row.column_blob(2));
  span.service = row.column_text(3);
  span.name = row.column_text(4);
  span.kind = static_cast<model::SpanKind>(row.column_int(5));
  span.start_unix_nano = static_cast<std::uint64_t>(row.column_int(6));
  span.end_unix_nano = static_cast<std::uint64_t>(row.column_int(7));
  span.status_code = static_cast<model::StatusCode>(row.column_int(8));
  span.status_message = row.column_text(9);
  span.attributes_json = row.column_text(10);
  span.events_json = row.column_text(11);
  span.links_json = row.column_text(12);
  span.resource_json = std::make_shared<const std::string>(row.column_text(13));
  span.scope_name = row.column_text(14);
  span.destination.address = row.column_text(15);
  span.destination.port = row.column_int(16);
  span.destination.path = row.column_text(17);
  span.destination.messaging_system = row.column_text(18);
  span.destination.messaging_destination = row.column_text(19);
  span.propagation.format = row.column_text(20);
  span.propagation.error = row.column_text(21);
  span.flags = static_cast<std::uint32_t>(row.column_int(23));
  const std::string_view links = row.column_blob(24);
  constexpr std::size_t link_size = sizeof(TraceId::bytes) + sizeof(SpanId::bytes);
  for (std::size_t at = 0; at + link_size <= links.size(); at += link_size) {
    span.links.push_back(model::LinkRef{
        id_from_blob<TraceId>(links.substr(at, sizeof(TraceId::bytes))),
        id_from_blob<SpanId>(links.substr(at + sizeof(TraceId::bytes), sizeof(SpanId::bytes)))});
  }
  return span;
}

// Read every span of `trace_id`; returns the latest received time too.
std::vector<model::SpanRecord> load_trace(Statement& select, const TraceId& trace_id,
                                          std::uint64_t& last_received) {
  std::vector<model::SpanRecord> spans;
  select.bind_blob(1, trace_id.bytes.data(), trace_id.bytes.size());
  while (select.step()) {
    spans.push_back(read_span(select));
    last_received = std::max(last_received, static_cast<std::uint64_t>(select.column_int(22)));
  }
  select.reset();
  return spans;
}

}  // namespace tracemesh::collector
