#include "collector/store/log_writer.h"

#include "model/fnv1a.h"

namespace tracemesh::collector {
namespace {

constexpr const char* insert_log_sql = R"sql(
INSERT OR IGNORE INTO logs (trace_id, span_id, service, time_unix_nano, severity, body,
  attributes, logged_id, received_unix_nano, digest)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10))sql";

constexpr const char* upsert_offset_sql = R"sql(
INSERT INTO log_files (path, device, inode, offset, head_size, head_hash)
VALUES (?1, ?2, ?3, ?4, ?5, ?6)
ON CONFLICT (path) DO UPDATE SET device = excluded.device, inode = excluded.inode,
  offset = excluded.offset, head_size = excluded.head_size, head_hash = excluded.head_hash)sql";

// FNV-1a over the fields that make a record the same record.
std::int64_t digest(const model::LogRecord& record, std::uint64_t time) {
  std::uint64_t hash = model::fnv1a_basis;
  const auto mix = [&hash](std::string_view bytes) {
    hash = model::fnv1a("\xff", model::fnv1a(bytes, hash));  // a separator no text can fake
  };
  mix(record.service);
  mix(std::string_view(reinterpret_cast<const char*>(&time), sizeof time));         // NOLINT
  mix(std::string_view(reinterpret_cast<const char*>(record.span_id.bytes.data()),  // NOLINT
                       record.span_id.bytes.size()));
  mix(record.body);
  return static_cast<std::int64_t>(hash);
}

}  // namespace

LogWriter::LogWriter(Database& db)
    : db_(db), insert_(db.prepare(insert_log_sql)), offset_(db.prepare(upsert_offset_sql)) {}

std::vector<WriteResult> LogWriter::store(const std::vector<Write>& writes,
                                          std::uint64_t received) {
  std::vector<WriteResult> results(writes.size());
  try {
    db_.execute("BEGIN IMMEDIATE");
    for (std::size_t i = 0; i < writes.size(); ++i) {
      for (const model::LogRecord& record : *writes[i].records) {
        insert_.bind_blob_unowned(1, record.trace_id.bytes.data(), record.trace_id.bytes.size());
        if (record.span_id.is_valid()) {
          insert_.bind_blob_unowned(2, record.span_id.bytes.data(), record.span_id.bytes.size());
        }
        const std::uint64_t time = record.time_unix_nano != 0 ? record.time_unix_nano : received;
        insert_.bind_unowned(3, record.service)
            .bind(4, as_sql(time))
            .bind_unowned(5, record.severity)
            .bind_unowned(6, record.body)
            .bind_unowned(7, record.attributes)
            .bind_unowned(8, record.logged_id)
            .bind(9, as_sql(received))
            .bind(10, digest(record, time));
        insert_.run();
        ++(sqlite3_changes(db_.handle()) > 0 ? results[i].stored : results[i].duplicates);
      }
      if (const std::optional<FileOffset>& offset = *writes[i].offset) {
        offset_.bind(1, offset->path)
            .bind(2, as_sql(offset->device))
            .bind(3, as_sql(offset->inode))
            .bind(4, as_sql(offset->offset))
            .bind(5, as_sql(offset->head_size))
            .bind(6, static_cast<std::int64_t>(offset->head_hash));
        offset_.run();
      }
    }
    db_.execute("COMMIT");
  } catch (const std::exception&) {  // SqliteError, or bad_alloc
    try {
      db_.execute("ROLLBACK");
    } catch (const SqliteError&) {
    }
    insert_.reset();
    offset_.reset();
    throw;
  }
  return results;
}

}  // namespace tracemesh::collector
