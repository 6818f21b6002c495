#include "collector/store/schema.h"

#include <array>
#include <string>

namespace tracemesh::collector {
namespace {

// migrations[i] takes a database from version i to version i + 1.
constexpr std::array<const char*, schema_version> migrations = {
    // 1: spans, one row per (trace, span) (unique index): a redelivered span is stored once.
    // traces: one summary row per trace, with its latest integrity verdict.
    // broken_hops: the broken hops of settled traces, for the service graph.
    // resources, operations: what spans share, stored once.
    R"sql(
CREATE TABLE spans (
  trace_id BLOB NOT NULL,
  span_id BLOB NOT NULL,
  parent_span_id BLOB,
  service TEXT NOT NULL,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  start_unix_nano INTEGER NOT NULL,
  end_unix_nano INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  status_message TEXT NOT NULL,
  attributes TEXT NOT NULL,
  events TEXT NOT NULL,
  links TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  scope TEXT NOT NULL,
  destination_address TEXT NOT NULL,
  destination_port INTEGER NOT NULL,
  destination_path TEXT NOT NULL,
  messaging_system TEXT NOT NULL,
  messaging_destination TEXT NOT NULL,
  propagation_format TEXT NOT NULL,
  propagation_error TEXT NOT NULL,
  received_unix_nano INTEGER NOT NULL
);
-- Rows append in arrival order; only this small index takes random inserts.
CREATE UNIQUE INDEX spans_by_id ON spans (trace_id, span_id);
-- Start times arrive roughly in order: appends, cheap. The graph reads by window.
-- (Dropped by migration 2.)
CREATE INDEX spans_by_start ON spans (start_unix_nano);
-- A resource's attributes are stored once, not with each of its spans.
CREATE TABLE resources (
  id INTEGER PRIMARY KEY,
  attributes TEXT NOT NULL UNIQUE
);
-- Every (service, operation, kind) seen: GET /api/services and .../operations.
CREATE TABLE operations (
  service TEXT NOT NULL,
  name TEXT NOT NULL,
  kind INTEGER NOT NULL,
  PRIMARY KEY (service, name, kind)
) WITHOUT ROWID;
-- Callee candidates for broken hops: inbound roots by destination, then time.
CREATE INDEX spans_http_roots ON spans (destination_path, start_unix_nano)
  WHERE parent_span_id IS NULL AND kind = 2;
CREATE INDEX spans_consumer_roots ON spans (messaging_destination, start_unix_nano)
  WHERE parent_span_id IS NULL AND kind = 5;
CREATE TABLE traces (
  trace_id BLOB PRIMARY KEY,
  span_count INTEGER NOT NULL,
  start_unix_nano INTEGER NOT NULL,
  end_unix_nano INTEGER NOT NULL,
  root_service TEXT,
  root_name TEXT,
  last_received_unix_nano INTEGER NOT NULL,
  integrity TEXT NOT NULL,
  verdict TEXT NOT NULL,
  settled INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX traces_by_start ON traces (start_unix_nano);
CREATE INDEX traces_unsettled ON traces (last_received_unix_nano) WHERE settled = 0;
CREATE TABLE broken_hops (
  caller_trace_id BLOB NOT NULL,
  caller_span_id BLOB NOT NULL,
  caller_service TEXT NOT NULL,
  callee_trace_id BLOB NOT NULL,
  callee_span_id BLOB NOT NULL,
  callee_service TEXT NOT NULL,
  protocol TEXT NOT NULL,
  culprit TEXT NOT NULL,
  call_start_unix_nano INTEGER NOT NULL,
  PRIMARY KEY (caller_trace_id, caller_span_id)
) WITHOUT ROWID;
CREATE INDEX broken_hops_by_start ON broken_hops (call_start_unix_nano);
)sql",
    // 2: time windows (the service graph) find spans through their traces: a
    // trace's first and last span start bound them. The per-span start index
    // cost a tenth of ingest; a trace's row is written once per commit.
    R"sql(
ALTER TABLE traces ADD COLUMN last_start_unix_nano INTEGER NOT NULL DEFAULT 0;
UPDATE traces SET last_start_unix_nano = coalesce(
  (SELECT max(s.start_unix_nano) FROM spans s WHERE s.trace_id = traces.trace_id), start_unix_nano);
CREATE INDEX traces_by_last_start ON traces (last_start_unix_nano);
DROP INDEX spans_by_start;
)sql",
    // 3: restarted hops and unsampled calls. OTLP Span.flags (the sampled bit)
    // and the links' ids (24 bytes a link: trace id, span id) are kept; a
    // broken_hops row is a broken hop or a restarted one (a callee root that
    // links the call).
    R"sql(
ALTER TABLE spans ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
ALTER TABLE spans ADD COLUMN link_refs BLOB NOT NULL DEFAULT x'';
ALTER TABLE broken_hops ADD COLUMN outcome TEXT NOT NULL DEFAULT 'broken';
)sql",
    // 4: log records that name a trace: evidence that a service saw it (OTLP
    // logs, tailed JSON-lines files), each once (digest: a hash of service,
    // time, span and body). log_files: how far each tailed file was read,
    // committed with the records read from it, and a hash of its first bytes
    // to tell the same file from one rewritten in place.
    R"sql(
CREATE TABLE logs (
  trace_id BLOB NOT NULL,
  span_id BLOB,
  service TEXT NOT NULL,
  time_unix_nano INTEGER NOT NULL,
  severity TEXT NOT NULL,
  body TEXT NOT NULL,
  attributes TEXT NOT NULL,
  logged_id TEXT NOT NULL,
  received_unix_nano INTEGER NOT NULL,
  digest INTEGER NOT NULL
);
CREATE INDEX logs_by_trace ON logs (trace_id, time_unix_nano);
CREATE INDEX logs_by_received ON logs (received_unix_nano);
-- A record is stored once: a redelivered request, or a line read twice, is not.
CREATE UNIQUE INDEX logs_by_digest ON logs (trace_id, digest);
CREATE TABLE log_files (
  path TEXT PRIMARY KEY,
  device INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  offset INTEGER NOT NULL,
  head_size INTEGER NOT NULL,
  head_hash INTEGER NOT NULL
) WITHOUT ROWID;
)sql",
};

int current_version(Database& db) {
  Statement statement = db.prepare("PRAGMA user_version");
  return statement.step() ? static_cast<int>(statement.column_int(0)) : 0;
}

}  // namespace

void migrate(Database& db, int target) {
  const int version = current_version(db);
  if (version > schema_version) {
    throw SqliteError("the data directory holds schema version " + std::to_string(version) +
                      ", written by a newer tracemesh; this one knows up to version " +
                      std::to_string(schema_version));
  }
  if (version >= target) return;
  db.execute("BEGIN IMMEDIATE");
  try {
    for (int next = version; next < target; ++next) {
      db.execute(migrations[static_cast<std::size_t>(next)]);
    }
    db.execute(("PRAGMA user_version = " + std::to_string(target)).c_str());
    db.execute("COMMIT");
  } catch (...) {
    db.execute("ROLLBACK");
    throw;
  }
}

}  // namespace tracemesh::collector
