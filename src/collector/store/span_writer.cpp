#include "collector/store/span_writer.h"

#include <algorithm>
#include <unordered_map>

namespace tracemesh::collector {
namespace {

constexpr const char* insert_span_sql = R"sql(
INSERT OR IGNORE INTO spans (trace_id, span_id, parent_span_id, service, name, kind,
  start_unix_nano, end_unix_nano, status_code, status_message, attributes, events, links,
  resource_id, scope, destination_address, destination_port, destination_path, messaging_system,
  messaging_destination, propagation_format, propagation_error, received_unix_nano, flags,
  link_refs)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
  ?21, ?22, ?23, ?24, ?25))sql";

constexpr const char* upsert_trace_sql = R"sql(
INSERT INTO traces (trace_id, span_count, start_unix_nano, end_unix_nano, root_service, root_name,
  last_received_unix_nano, integrity, verdict, settled, last_start_unix_nano)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'arriving', '{}', 0, ?8)
ON CONFLICT (trace_id) DO UPDATE SET
  span_count = span_count + excluded.span_count,
  start_unix_nano = min(start_unix_nano, excluded.start_unix_nano),
  end_unix_nano = max(end_unix_nano, excluded.end_unix_nano),
  last_start_unix_nano = max(last_start_unix_nano, excluded.last_start_unix_nano),
  root_service = coalesce(excluded.root_service, root_service),
  root_name = coalesce(excluded.root_name, root_name),
  last_received_unix_nano = excluded.last_received_unix_nano,
  integrity = 'arriving',
  settled = 0
RETURNING span_count)sql";

// What one transaction learned about a trace, merged into its summary row.
struct TraceDelta {
  std::int64_t added = 0;
  std::uint64_t start = UINT64_MAX;
  std::uint64_t end = 0;
  std::int64_t last_start = INT64_MIN;  // signed, as SQLite compares it
  const model::SpanRecord* root = nullptr;
  std::vector<const model::SpanRecord*> stored;  // the spans added
  bool first = false;                            // the trace had no spans stored before
};

}  // namespace

SpanWriter::SpanWriter(Database& db, ArrivingTraces& arriving)
    : db_(db),
      arriving_(arriving),
      insert_(db.prepare(insert_span_sql)),
      upsert_(db.prepare(upsert_trace_sql)),
      operation_(db.prepare(
          "INSERT OR IGNORE INTO operations (service, name, kind) VALUES (?1, ?2, ?3)")) {}

std::vector<WriteResult> SpanWriter::store(
    const std::vector<const std::vector<model::SpanRecord>*>& writes, std::uint64_t received) {
  std::vector<WriteResult> results(writes.size());
  try {
    db_.execute("BEGIN IMMEDIATE");
    std::unordered_map<TraceId, TraceDelta, model::IdHash> traces;
    for (std::size_t i = 0; i < writes.size(); ++i) {
      for (const model::SpanRecord& span : *writes[i]) {
        if (insert_span(span, received)) {
          ++results[i].stored;
          note_operation(span);
          TraceDelta& delta = traces[span.trace_id];
          ++delta.added;
          delta.start = std::min(delta.start, span.start_unix_nano);
          delta.end = std::max(delta.end, span.end_unix_nano);
          delta.last_start = std::max(delta.last_start, as_sql(span.start_unix_nano));
          if (span.is_root()) delta.root = &span;
          delta.stored.push_back(&span);
        } else {
          ++results[i].duplicates;
        }
      }
    }
    for (auto& [trace_id, delta] : traces) {
      upsert_.bind_blob(1, trace_id.bytes.data(), trace_id.bytes.size())
          .bind(2, delta.added)
          .bind(3, as_sql(delta.start))
          .bind(4, as_sql(delta.end))
          .bind(7, as_sql(received))
          .bind(8, delta.last_start);
      if (delta.root != nullptr) upsert_.bind(5, delta.root->service).bind(6, delta.root->name);
      delta.first = upsert_.step() && upsert_.column_int(0) == delta.added;
      upsert_.reset();
    }
    db_.execute("COMMIT");
    for (const auto& [trace_id, delta] : traces) {
      arriving_.add(trace_id, delta.stored, delta.first, received);
    }
  } catch (const std::exception&) {  // SqliteError, or bad_alloc
    try {
      db_.execute("ROLLBACK");
    } catch (const SqliteError&) {
    }
    insert_.reset();
    upsert_.reset();
    operation_.reset();
    forget_caches();
    throw;
  }
  return results;
}

std::int64_t SpanWriter::resource_id(const std::shared_ptr<const std::string>& shared) {
  if (shared == nullptr || shared != last_resource_) {
    last_resource_id_ = stored_resource_id(shared != nullptr ? *shared : *model::empty_object());
    last_resource_ = shared;
  }
  return last_resource_id_;
}

std::int64_t SpanWriter::stored_resource_id(const std::string& attributes) {
  const auto known = resource_ids_.find(attributes);
  if (known != resource_ids_.end()) return known->second;
  Statement insert = db_.prepare("INSERT OR IGNORE INTO resources (attributes) VALUES (?1)");
  insert.bind(1, attributes);
  insert.run();
  Statement select = db_.prepare("SELECT id FROM resources WHERE attributes = ?1");
  select.bind(1, attributes);
  if (!select.step()) throw SqliteError("resource row missing after insert");
  const std::int64_t id = select.column_int(0);
  if (resource_ids_.size() > 10'000) resource_ids_.clear();
  resource_ids_.emplace(attributes, id);
  return id;
}

void SpanWriter::note_operation(const model::SpanRecord& span) {
  operation_key_.assign(span.service)
      .append(1, '\0')
      .append(span.name)
      .append(1, static_cast<char>('0' + static_cast<int>(span.kind)));
  if (known_operations_.contains(operation_key_)) return;
  operation_.bind(1, span.service).bind(2, span.name).bind(3, static_cast<std::int64_t>(span.kind));
  operation_.run();
  if (known_operations_.size() > 100'000) known_operations_.clear();
  known_operations_.insert(operation_key_);
}

void SpanWriter::forget_caches() {
  resource_ids_.clear();
  last_resource_.reset();
  known_operations_.clear();
}

// Insert `span` (its strings bound in place: they outlive the run()).
bool SpanWriter::insert_span(const model::SpanRecord& span, std::uint64_t received) {
  insert_.bind_blob_unowned(1, span.trace_id.bytes.data(), span.trace_id.bytes.size())
      .bind_blob_unowned(2, span.span_id.bytes.data(), span.span_id.bytes.size());
  if (span.is_root()) {
    insert_.bind_null(3);
  } else {
    insert_.bind_blob_unowned(3, span.parent_span_id.bytes.data(),
                              span.parent_span_id.bytes.size());
  }
  insert_.bind_unowned(4, span.service)
      .bind_unowned(5, span.name)
      .bind(6, static_cast<std::int64_t>(span.kind))
      .bind(7, as_sql(span.start_unix_nano))
      .bind(8, as_sql(span.end_unix_nano))
      .bind(9, static_cast<std::int64_t>(span.status_code))
      .bind_unowned(10, span.status_message)
      .bind_unowned(11, span.attributes_json)
      .bind_unowned(12, span.events_json)
      .bind_unowned(13, span.links_json)
      .bind(14, resource_id(span.resource_json))
      .bind_unowned(15, span.scope_name)
      .bind_unowned(16, span.destination.address)
      .bind(17, span.destination.port)
      .bind_unowned(18, span.destination.path)
      .bind_unowned(19, span.destination.messaging_system)
      .bind_unowned(20, span.destination.messaging_destination)
      .bind_unowned(21, span.propagation.format)
      .bind_unowned(22, span.propagation.error)
      .bind(23, as_sql(received))
      .bind(24, static_cast<std::int64_t>(span.flags));
  link_refs_.clear();
  for (const model::LinkRef& link : span.links) {
    link_refs_.append(reinterpret_cast<const char*>(link.trace_id.bytes.data()),  // NOLINT
                      link.trace_id.bytes.size());
    link_refs_.append(reinterpret_cast<const char*>(link.span_id.bytes.data()),  // NOLINT
                      link.span_id.bytes.size());
  }
  insert_.bind_blob(25, link_refs_.data(), link_refs_.size());
  insert_.run();
  return db_.changes() == 1;
}

}  // namespace tracemesh::collector
