#include "collector/store/log_writer.h"

namespace tracemesh::collector {
namespace {

constexpr const char* insert_log_sql = R"sql(
INSERT INTO logs (trace_id, span_id, service, time_unix_nano, severity, body, attributes,
  logged_id, received_unix_nano)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9))sql";

constexpr const char* upsert_offset_sql = R"sql(
INSERT INTO log_files (path, device, inode, offset) VALUES (?1, ?2, ?3, ?4)
ON CONFLICT (path) DO UPDATE SET device = excluded.device, inode = excluded.inode,
  offset = excluded.offset)sql";

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
        insert_.bind_unowned(3, record.service)
            .bind(4, as_sql(record.time_unix_nano != 0 ? record.time_unix_nano : received))
            .bind_unowned(5, record.severity)
            .bind_unowned(6, record.body)
            .bind_unowned(7, record.attributes)
            .bind_unowned(8, record.logged_id)
            .bind(9, as_sql(received));
        insert_.run();
        ++results[i].stored;
      }
      if (const std::optional<FileOffset>& offset = *writes[i].offset) {
        offset_.bind(1, offset->path)
            .bind(2, as_sql(offset->device))
            .bind(3, as_sql(offset->inode))
            .bind(4, as_sql(offset->offset));
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
