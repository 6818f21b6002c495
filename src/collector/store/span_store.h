// The collector's durable span store on SQLite (WAL). Request threads hand
// decoded spans to write(), which queues them for the single writer thread
// and waits: the writer commits every queued request in one transaction and
// only then answers, so a write that returns `committed` survives a crash of
// the process. A full queue answers `queue_full` at once (the HTTP layer
// turns that into 429/503 with Retry-After) instead of growing without bound.
//
// Log records that name a trace take the same path (write_logs), so that a
// 200 for logs is as durable as for spans.
//
// The same thread settles traces: once no span of a trace has arrived for
// the grace period, it judges the trace (trace_integrity.h) and stores the
// verdict with the trace's summary row, which search reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model/log_record.h"
#include "model/span_record.h"
#include "model/trace_integrity.h"
#include "tracemesh/expected.h"

namespace tracemesh::collector {

class Database;

struct StoreOptions {
  std::filesystem::path directory;         // holds tracemesh.db (created when missing)
  std::size_t max_queued_spans = 200'000;  // spans waiting for the writer
  model::IntegrityOptions integrity;
  std::chrono::milliseconds settle_interval{250};  // how often to look for settled traces
  std::function<std::uint64_t()> clock;            // Unix time in ns; the system clock when empty
  // Retention: traces whose last span arrived longer ago than `max_age` are
  // deleted (0: never), and the oldest traces go first while the stored data
  // exceeds `max_bytes` (0: no limit). Checked every `retention_interval`.
  std::chrono::nanoseconds max_age = std::chrono::hours(24 * 7);
  std::uint64_t max_bytes = 0;
  std::chrono::milliseconds retention_interval{10000};
  // Memory for the spans of arriving traces, which settling then reads
  // instead of the database (arriving_traces.h); 0 reads every trace back.
  std::size_t arriving_cache_bytes = 256U << 20U;
  // Write-ahead log pages that wake the checkpoint thread, and above which
  // the writer checkpoints itself (checkpointer.h).
  std::size_t checkpoint_pages = 1000;
  std::size_t max_wal_pages = 16384;
};

struct WriteResult {
  enum class Status { committed, queue_full, closed, failed };
  Status status = Status::committed;
  std::size_t stored = 0;      // new spans
  std::size_t duplicates = 0;  // spans already stored (redeliveries)
  std::string message;         // for failed
};

// How far a tailed log file was read: the file (device and inode, to tell a
// rotated file from its successor) and the offset after the last line read.
struct FileOffset {
  std::string path;
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t offset = 0;
  // A hash of the file's first head_size bytes (min(offset, 1 KiB)): the
  // same device and inode with other first bytes is a file rewritten in place.
  std::uint64_t head_size = 0;
  std::uint64_t head_hash = 0;
};

// One trace as stored: its spans and when the last one arrived.
struct StoredTrace {
  std::vector<model::SpanRecord> spans;
  std::uint64_t last_received_unix_nano = 0;
  // The verdict stored when the trace settled (broken hops included), as
  // JSON; empty while the trace is still arriving.
  std::string settled_verdict_json;
};

struct StoreStats {
  std::uint64_t spans_stored = 0;
  std::uint64_t spans_duplicate = 0;
  std::uint64_t transactions = 0;
  std::uint64_t write_nanos_total = 0;  // time spent in write transactions
  std::size_t queued_spans = 0;
  std::uint64_t traces_settled = 0;
  std::uint64_t traces_settled_from_memory = 0;  // of those, read from arriving_traces.h
  std::uint64_t traces_expired = 0;              // deleted by retention
  std::uint64_t log_records_stored = 0;
};

// Whether the store takes writes now: open, its log syncing, its last
// commit done, its write queue not nearly full (GET /readyz); and whether it
// never will again until restarted (a failed log sync: GET /healthz fails).
struct StoreHealth {
  bool ready = true;
  std::string problem;  // why not, when not ready
  bool needs_restart = false;
};

class SpanStore {
 public:
  // Open or create the store in `options.directory` and start its writer.
  static Expected<std::unique_ptr<SpanStore>> open(StoreOptions options);
  ~SpanStore();  // stops the writer after committing what is queued
  SpanStore(const SpanStore&) = delete;
  SpanStore& operator=(const SpanStore&) = delete;

  // Store `spans` durably; blocks until committed (or refused). Thread-safe.
  WriteResult write(std::vector<model::SpanRecord> spans);

  // Store log records that name a trace durably, with the offset a tailed
  // file was read to (when given) in the same transaction; blocks until
  // committed (or refused), as write() does, and shares its queue. A record
  // already stored (the same trace, service, time, span and body) is counted
  // as a duplicate and not stored again. Thread-safe.
  WriteResult write_logs(std::vector<model::LogRecord> records,
                         std::optional<FileOffset> offset = std::nullopt);

  // Return the log records naming `trace_id`, in time order (at most
  // `limit`). Thread-safe.
  Expected<std::vector<model::LogRecord>> logs(const TraceId& trace_id,
                                               std::size_t limit = 10'000) const;

  // Return the offset committed for the tailed file at `path`, if any. Thread-safe.
  Expected<std::optional<FileOffset>> file_offset(const std::string& path) const;

  // Return the trace's spans, or nullopt when no span of it is stored. Thread-safe.
  Expected<std::optional<StoredTrace>> trace(const TraceId& trace_id) const;

  StoreStats stats() const;

  // Return whether the store takes writes now (StoreHealth). Thread-safe.
  StoreHealth health() const;

  // Return the current time as the store sees it (tests inject a clock).
  std::uint64_t now_unix_nano() const;

  // Run `read` on the store's read connection, one reader at a time. For the
  // collector's query code (trace_search.h, service_graph.h).
  template <typename Function>
  auto with_reader(Function&& read) const {
    std::lock_guard lock(reader_mutex());
    return read(reader());
  }

  struct State;
  struct PendingWrite;

 private:
  explicit SpanStore(std::unique_ptr<State> state);
  WriteResult enqueue(PendingWrite pending);
  std::mutex& reader_mutex() const;
  Database& reader() const;
  std::unique_ptr<State> state_;
};

}  // namespace tracemesh::collector
