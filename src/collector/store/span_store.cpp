#include "collector/store/span_store.h"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "collector/store/arriving_traces.h"
#include "model/broken_hops.h"
#include "collector/store/checkpointer.h"
#include "collector/store/log_syncer.h"
#include "collector/store/schema.h"
#include "collector/store/sqlite.h"
#include "model/trace_json.h"

namespace tracemesh::collector {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t system_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

struct PendingWrite {
  std::vector<model::SpanRecord> spans;
  std::promise<WriteResult> done;
};

// Answer every write of `writes` with `message`: they were not stored, or not durably.
void fail(std::deque<PendingWrite>& writes, const std::string& message) {
  for (PendingWrite& pending : writes) {
    pending.done.set_value({WriteResult::Status::failed, 0, 0, message});
  }
}

// A committed transaction's writes, answered once the log holding it is synced.
struct UnsyncedCommit {
  std::uint64_t sequence = 0;
  std::deque<PendingWrite> writes;
  std::vector<WriteResult> results;
};

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

constexpr const char* insert_span_sql = R"sql(
INSERT OR IGNORE INTO spans (trace_id, span_id, parent_span_id, service, name, kind,
  start_unix_nano, end_unix_nano, status_code, status_message, attributes, events, links,
  resource_id, scope, destination_address, destination_port, destination_path, messaging_system,
  messaging_destination, propagation_format, propagation_error, received_unix_nano)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
  ?21, ?22, ?23))sql";

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

#define TRACEMESH_SPAN_COLUMNS                                                               \
  "trace_id, span_id, parent_span_id, service, name, kind, start_unix_nano, end_unix_nano, " \
  "status_code, status_message, attributes, events, links, "                                 \
  "(SELECT attributes FROM resources WHERE id = resource_id), scope, "                       \
  "destination_address, destination_port, destination_path, messaging_system, "              \
  "messaging_destination, propagation_format, propagation_error, received_unix_nano"

constexpr const char* select_spans_sql =
    "SELECT " TRACEMESH_SPAN_COLUMNS
    " FROM spans WHERE trace_id = ?1 ORDER BY start_unix_nano, parent_span_id IS NOT NULL, span_id";

// Inbound roots of other traces for the call's destination that started in
// its window: the callee candidates (HTTP by path, messaging by destination;
// is_callee_of checks the rest).
constexpr const char* select_http_candidates_sql =
    "SELECT " TRACEMESH_SPAN_COLUMNS
    " FROM spans WHERE parent_span_id IS NULL AND kind = 2 AND destination_path = ?4 AND "
    "start_unix_nano BETWEEN ?1 AND ?2 AND trace_id != ?3 ORDER BY start_unix_nano LIMIT 20";
constexpr const char* select_consumer_candidates_sql =
    "SELECT " TRACEMESH_SPAN_COLUMNS
    " FROM spans WHERE parent_span_id IS NULL AND kind = 5 AND messaging_destination = ?4 AND "
    "start_unix_nano BETWEEN ?1 AND ?2 AND trace_id != ?3 ORDER BY start_unix_nano LIMIT 20";

template <typename Id>
Id id_from_blob(std::string_view blob) {
  Id id;
  if (blob.size() == id.bytes.size()) std::memcpy(id.bytes.data(), blob.data(), blob.size());
  return id;
}

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

void configure(Database& db) {
  db.execute("PRAGMA journal_mode = WAL");
  // Pages come from memory rather than a pread() each: a 64 MiB page cache and
  // the file mapped (reads only; writes still go through the WAL).
  db.execute("PRAGMA cache_size = -65536");
  db.execute("PRAGMA mmap_size = 1073741824");
  db.execute("PRAGMA temp_store = MEMORY");
  // Once the log starts over, a log that grew (a long query held it) shrinks back.
  db.execute("PRAGMA journal_size_limit = 67108864");
}

}  // namespace

struct SpanStore::State {
  StoreOptions options;
  std::string path;
  Database writer_db;
  std::mutex reader_mutex;
  std::unique_ptr<Database> reader_db;  // opened once the writer has migrated the schema
  std::unique_ptr<Checkpointer> checkpointer;

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<PendingWrite> queue;
  std::size_t queued_spans = 0;
  bool stopping = false;
  StoreStats stats;
  std::string durability_failure;  // the log could not be synced: no more writes
  std::thread writer;
  static constexpr std::size_t settle_batch = 1000;
  bool settle_backlog = false;  // writer thread only
  ArrivingTraces arriving;      // writer thread only

  State(StoreOptions options_in, const std::string& path_in)
      : options(std::move(options_in)),
        path(path_in),
        writer_db(path, true),
        arriving(options.arriving_cache_bytes) {
    configure(writer_db);
    // The writer's commits do not wait for the disk; write() answers only
    // once the log holding its commit is synced (log_syncer.h).
    writer_db.execute("PRAGMA synchronous = NORMAL");
    migrate(writer_db);
    reader_db = std::make_unique<Database>(path, false);
    configure(*reader_db);
    checkpointer = std::make_unique<Checkpointer>(writer_db, path, options.checkpoint_pages,
                                                  options.max_wal_pages);
    syncer = std::make_unique<LogSyncer>(
        sqlite3_filename_wal(sqlite3_db_filename(writer_db.handle(), "main")),
        [this](std::uint64_t through, const std::string& error) { answer(through, error); });
  }

  // Committed writes waiting for the log to be synced (writer and syncer threads).
  std::mutex unsynced_mutex;
  std::deque<UnsyncedCommit> unsynced;
  std::uint64_t last_sequence = 0;  // writer thread only
  std::unique_ptr<LogSyncer> syncer;

  // The syncer's report: answer every write committed up to `through`. A
  // failed sync is final (log_syncer.h): later writes are refused.
  void answer(std::uint64_t through, const std::string& error) {
    if (!error.empty()) {
      std::lock_guard lock(mutex);
      if (durability_failure.empty()) durability_failure = error;
    }
    std::deque<UnsyncedCommit> synced;
    {
      std::lock_guard lock(unsynced_mutex);
      while (!unsynced.empty() && unsynced.front().sequence <= through) {
        synced.push_back(std::move(unsynced.front()));
        unsynced.pop_front();
      }
    }
    for (UnsyncedCommit& commit : synced) {
      if (!error.empty()) {
        fail(commit.writes, error);
        continue;
      }
      for (std::size_t i = 0; i < commit.writes.size(); ++i) {
        commit.writes[i].done.set_value(commit.results[i]);
      }
    }
  }

  std::uint64_t now() const { return options.clock ? options.clock() : system_now(); }

  void run() {
    Statement insert = writer_db.prepare(insert_span_sql);
    Statement upsert = writer_db.prepare(upsert_trace_sql);
    Statement select = writer_db.prepare(select_spans_sql);
    Statement operation = writer_db.prepare(
        "INSERT OR IGNORE INTO operations (service, name, kind) VALUES (?1, ?2, ?3)");
    auto next_settle = Clock::now();
    auto next_retention = Clock::now();
    for (;;) {
      std::deque<PendingWrite> batch;
      {
        std::unique_lock lock(mutex);
        wake.wait_until(lock, std::min(next_settle, next_retention),
                        [this] { return stopping || !queue.empty(); });
        batch.swap(queue);
        queued_spans = 0;
        if (batch.empty() && stopping) return;
      }
      if (!batch.empty()) commit(batch, insert, upsert, operation);
      if (Clock::now() >= next_settle) {
        settle(select);
        // With traces still due, come back as soon as queued writes are committed.
        next_settle = settle_backlog ? Clock::now() : Clock::now() + options.settle_interval;
      }
      if (Clock::now() >= next_retention) {
        retain();
        next_retention = Clock::now() + options.retention_interval;
      }
    }
  }

  void commit(std::deque<PendingWrite>& batch, Statement& insert, Statement& upsert,
              Statement& operation) {
    const auto started = Clock::now();
    const std::uint64_t received = now();
    std::vector<WriteResult> results(batch.size());
    try {
      writer_db.execute("BEGIN IMMEDIATE");
      std::unordered_map<TraceId, TraceDelta, model::IdHash> traces;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        for (const model::SpanRecord& span : batch[i].spans) {
          if (insert_span(insert, span, received)) {
            ++results[i].stored;
            note_operation(operation, span);
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
        upsert.bind_blob(1, trace_id.bytes.data(), trace_id.bytes.size())
            .bind(2, delta.added)
            .bind(3, as_sql(delta.start))
            .bind(4, as_sql(delta.end))
            .bind(7, as_sql(received))
            .bind(8, delta.last_start);
        if (delta.root != nullptr) upsert.bind(5, delta.root->service).bind(6, delta.root->name);
        delta.first = upsert.step() && upsert.column_int(0) == delta.added;
        upsert.reset();
      }
      writer_db.execute("COMMIT");
      for (const auto& [trace_id, delta] : traces) {
        arriving.add(trace_id, delta.stored, delta.first, received);
      }
    } catch (
        const std::exception& error) {  // SqliteError, or bad_alloc: fail the writes, keep serving
      try {
        writer_db.execute("ROLLBACK");
      } catch (const SqliteError&) {
      }
      insert.reset();
      upsert.reset();
      operation.reset();
      forget_caches();
      fail(batch, error.what());
      return;
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started);
    {
      std::lock_guard lock(mutex);
      ++stats.transactions;
      stats.write_nanos_total += static_cast<std::uint64_t>(elapsed.count());
      for (const WriteResult& result : results) {
        stats.spans_stored += result.stored;
        stats.spans_duplicate += result.duplicates;
      }
    }
    for (PendingWrite& pending : batch) {
      std::vector<model::SpanRecord>().swap(pending.spans);  // stored: free them now
    }
    try {
      std::lock_guard lock(unsynced_mutex);
      UnsyncedCommit& waiting = unsynced.emplace_back();  // the only step that can throw
      waiting.sequence = ++last_sequence;
      waiting.writes.swap(batch);
      waiting.results.swap(results);
    } catch (const std::bad_alloc&) {
      fail(batch, "out of memory");
      return;
    }
    syncer->committed(last_sequence);
  }

  // Resource ids and operations already stored; cleared when a transaction
  // rolls back (they may name rows that were never committed).
  std::unordered_map<std::string, std::int64_t> resource_ids;
  std::unordered_set<std::string> known_operations;

  // Spans of one resource share its attributes string: the last one seen is
  // recognised by address (held, so the address cannot be reused meanwhile).
  std::shared_ptr<const std::string> last_resource;
  std::int64_t last_resource_id = 0;

  std::int64_t resource_id(const std::shared_ptr<const std::string>& shared) {
    if (shared == nullptr || shared != last_resource) {
      last_resource_id = stored_resource_id(shared != nullptr ? *shared : *model::empty_object());
      last_resource = shared;
    }
    return last_resource_id;
  }

  std::int64_t stored_resource_id(const std::string& attributes) {
    const auto known = resource_ids.find(attributes);
    if (known != resource_ids.end()) return known->second;
    Statement insert =
        writer_db.prepare("INSERT OR IGNORE INTO resources (attributes) VALUES (?1)");
    insert.bind(1, attributes);
    insert.run();
    Statement select = writer_db.prepare("SELECT id FROM resources WHERE attributes = ?1");
    select.bind(1, attributes);
    if (!select.step()) throw SqliteError("resource row missing after insert");
    const std::int64_t id = select.column_int(0);
    if (resource_ids.size() > 10'000) resource_ids.clear();
    resource_ids.emplace(attributes, id);
    return id;
  }

  std::string operation_key;  // reused: no allocation per span

  void note_operation(Statement& insert, const model::SpanRecord& span) {
    operation_key.assign(span.service)
        .append(1, '\0')
        .append(span.name)
        .append(1, static_cast<char>('0' + static_cast<int>(span.kind)));
    if (known_operations.contains(operation_key)) return;
    insert.bind(1, span.service).bind(2, span.name).bind(3, static_cast<std::int64_t>(span.kind));
    insert.run();
    if (known_operations.size() > 100'000) known_operations.clear();
    known_operations.insert(operation_key);
  }

  void forget_caches() {
    resource_ids.clear();
    last_resource.reset();
    known_operations.clear();
  }

  // Insert `span` (its strings bound in place: they outlive the run()).
  bool insert_span(Statement& insert, const model::SpanRecord& span, std::uint64_t received) {
    insert.bind_blob_unowned(1, span.trace_id.bytes.data(), span.trace_id.bytes.size())
        .bind_blob_unowned(2, span.span_id.bytes.data(), span.span_id.bytes.size());
    if (span.is_root()) {
      insert.bind_null(3);
    } else {
      insert.bind_blob_unowned(3, span.parent_span_id.bytes.data(),
                               span.parent_span_id.bytes.size());
    }
    insert.bind_unowned(4, span.service)
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
        .bind(23, as_sql(received));
    insert.run();
    return writer_db.changes() == 1;
  }

  // Delete the traces of `selected` (a statement returning trace ids) with
  // their spans and broken hops; return how many were deleted.
  std::size_t delete_traces(Statement& selected) {
    std::vector<std::string> ids;
    while (selected.step()) ids.emplace_back(selected.column_blob(0));
    if (ids.empty()) return 0;
    Statement spans = writer_db.prepare("DELETE FROM spans WHERE trace_id = ?1");
    Statement hops = writer_db.prepare("DELETE FROM broken_hops WHERE caller_trace_id = ?1");
    Statement trace = writer_db.prepare("DELETE FROM traces WHERE trace_id = ?1");
    writer_db.execute("BEGIN IMMEDIATE");
    for (const std::string& id : ids) {
      for (Statement* statement : {&spans, &hops, &trace}) {
        statement->bind_blob(1, id.data(), id.size());
        statement->run();
      }
    }
    writer_db.execute("COMMIT");
    for (const std::string& id : ids) arriving.erase(id_from_blob<TraceId>(id));
    return ids.size();
  }

  std::uint64_t used_bytes() {
    Statement pages = writer_db.prepare(
        "SELECT (SELECT page_count FROM pragma_page_count()) - "
        "(SELECT freelist_count FROM pragma_freelist_count()), "
        "(SELECT page_size FROM pragma_page_size())");
    return pages.step() ? static_cast<std::uint64_t>(pages.column_int(0) * pages.column_int(1)) : 0;
  }

  // Apply retention: by age, then by size, a bounded batch at a time.
  void retain() {
    constexpr int batch = 500;
    std::size_t expired = 0;
    try {
      const auto max_age = static_cast<std::uint64_t>(options.max_age.count());
      const std::uint64_t now_nanos = now();
      if (max_age > 0 && now_nanos > max_age) {
        Statement old = writer_db.prepare(
            "SELECT trace_id FROM traces WHERE last_received_unix_nano < ?1 LIMIT ?2");
        old.bind(1, as_sql(now_nanos - max_age)).bind(2, batch);
        expired += delete_traces(old);
      }
      for (int round = 0; options.max_bytes > 0 && round < 100 && used_bytes() > options.max_bytes;
           ++round) {
        Statement oldest = writer_db.prepare(
            "SELECT trace_id FROM traces ORDER BY last_received_unix_nano LIMIT ?1");
        oldest.bind(1, batch / 10);
        const std::size_t deleted = delete_traces(oldest);
        if (deleted == 0) break;
        expired += deleted;
      }
    } catch (const SqliteError&) {
      try {
        writer_db.execute("ROLLBACK");
      } catch (const SqliteError&) {
      }
    }
    if (expired > 0) {
      std::lock_guard lock(mutex);
      stats.traces_expired += expired;
    }
  }

  // Add to `verdict` the calls of `spans` whose callee started a new trace instead.
  void find_broken_hops(Statement& http_candidates, Statement& consumer_candidates,
                        const std::vector<model::SpanRecord>& spans, model::TraceVerdict& verdict) {
    std::vector<SpanId> claimed;
    for (const model::SpanRecord* call : model::unanswered_calls(spans)) {
      const bool messaging = call->kind == model::SpanKind::producer;
      const std::string& destination =
          messaging ? call->destination.messaging_destination : call->destination.path;
      if (destination.empty()) continue;  // nothing to match a callee by
      Statement& candidates = messaging ? consumer_candidates : http_candidates;
      const model::CallWindow window = model::call_window(
          *call, options.integrity.call_tolerance_nanos, options.integrity.messaging_delay_nanos);
      candidates.bind(1, as_sql_bound(window.earliest))
          .bind(2, as_sql_bound(window.latest))
          .bind_blob(3, call->trace_id.bytes.data(), call->trace_id.bytes.size())
          .bind(4, destination);
      while (candidates.step()) {
        const model::SpanRecord root = read_span(candidates);
        if (!model::is_callee_of(*call, root) ||
            std::find(claimed.begin(), claimed.end(), root.span_id) != claimed.end()) {
          continue;
        }
        claimed.push_back(root.span_id);
        verdict.broken_hops.push_back(model::make_broken_hop(*call, root));
        break;
      }
      candidates.reset();
    }
  }

  // Judge and mark settled every trace quiet for the grace period.
  void settle(Statement& select) {
    const std::uint64_t now_nanos = now();
    const std::uint64_t grace = options.integrity.grace_nanos;
    if (now_nanos < grace) return;
    try {
      Statement due = writer_db.prepare(
          "SELECT trace_id FROM traces WHERE settled = 0 AND last_received_unix_nano <= ?1 "
          "LIMIT ?2");
      due.bind(1, as_sql(now_nanos - grace)).bind(2, static_cast<std::int64_t>(settle_batch));
      std::vector<TraceId> ids;
      while (due.step()) ids.push_back(id_from_blob<TraceId>(due.column_blob(0)));
      if (ids.empty()) return;
      Statement update = writer_db.prepare(
          "UPDATE traces SET integrity = ?2, verdict = ?3, settled = 1 WHERE trace_id = ?1");
      Statement http_candidates = writer_db.prepare(select_http_candidates_sql);
      Statement consumer_candidates = writer_db.prepare(select_consumer_candidates_sql);
      Statement forget_hops =
          writer_db.prepare("DELETE FROM broken_hops WHERE caller_trace_id = ?1");
      Statement record_hop = writer_db.prepare(
          "INSERT OR REPLACE INTO broken_hops (caller_trace_id, caller_span_id, caller_service, "
          "callee_trace_id, callee_span_id, callee_service, protocol, culprit, "
          "call_start_unix_nano) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
      // A bounded slice per pass, so queued writes wait at most this long.
      const auto budget_end = Clock::now() + std::chrono::milliseconds(50);
      std::size_t settled = 0;
      std::size_t from_memory = 0;
      std::vector<model::SpanRecord> spans;
      writer_db.execute("BEGIN IMMEDIATE");
      for (const TraceId& id : ids) {
        if (Clock::now() >= budget_end) break;
        ++settled;
        std::uint64_t last_received = 0;
        // A trace held from its first span has never settled: no hops to forget.
        const bool held = arriving.load(id, spans, last_received);
        if (held) {
          ++from_memory;
        } else {
          spans = load_trace(select, id, last_received);
        }
        model::TraceVerdict verdict =
            model::analyze_trace(spans, last_received, now_nanos, options.integrity);
        find_broken_hops(http_candidates, consumer_candidates, spans, verdict);
        if (!held) {
          forget_hops.bind_blob(1, id.bytes.data(), id.bytes.size());
          forget_hops.run();
        }
        for (const model::BrokenHop& hop : verdict.broken_hops) {
          record_hop.bind_blob(1, id.bytes.data(), id.bytes.size())
              .bind_blob(2, hop.caller_span_id.bytes.data(), hop.caller_span_id.bytes.size())
              .bind(3, hop.caller_service)
              .bind_blob(4, hop.callee_trace_id.bytes.data(), hop.callee_trace_id.bytes.size())
              .bind_blob(5, hop.callee_span_id.bytes.data(), hop.callee_span_id.bytes.size())
              .bind(6, hop.callee_service)
              .bind(7, hop.protocol)
              .bind(8, model::to_string(hop.culprit))
              .bind(9, as_sql(hop.call_start_unix_nano));
          record_hop.run();
        }
        update.bind_blob(1, id.bytes.data(), id.bytes.size())
            .bind(2, verdict.integrity())
            .bind(3, model::verdict_json(verdict));
        update.run();
      }
      writer_db.execute("COMMIT");
      for (std::size_t i = 0; i < settled; ++i) arriving.erase(ids[i]);
      std::lock_guard lock(mutex);
      stats.traces_settled += settled;
      stats.traces_settled_from_memory += from_memory;
      settle_backlog = settled < ids.size() || ids.size() == settle_batch;
    } catch (const SqliteError&) {
      select.reset();  // a statement left mid-step would refuse every later bind
      try {
        writer_db.execute("ROLLBACK");
      } catch (const SqliteError&) {
      }
    }
  }
};

Expected<std::unique_ptr<SpanStore>> SpanStore::open(StoreOptions options) {
  std::error_code error;
  std::filesystem::create_directories(options.directory, error);
  if (error) {
    return Error{ErrorCode::io_error, "cannot create data directory " + options.directory.string() +
                                          ": " + error.message()};
  }
  const std::string path = (options.directory / "tracemesh.db").string();
  try {
    auto state = std::make_unique<State>(std::move(options), path);
    State* raw = state.get();
    state->writer = std::thread([raw] { raw->run(); });
    return std::unique_ptr<SpanStore>(new SpanStore(std::move(state)));
  } catch (const SqliteError& failure) {
    return Error{ErrorCode::io_error, std::string("cannot open the store: ") + failure.what()};
  } catch (const std::system_error& failure) {  // a thread could not be started
    return Error{ErrorCode::io_error, std::string("cannot start the store: ") + failure.what()};
  }
}

SpanStore::SpanStore(std::unique_ptr<State> state) : state_(std::move(state)) {}

SpanStore::~SpanStore() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
  }
  state_->wake.notify_all();
  if (state_->writer.joinable()) state_->writer.join();
  state_->syncer.reset();  // answers the last commits
}

WriteResult SpanStore::write(std::vector<model::SpanRecord> spans) {
  if (spans.empty()) return {};
  std::future<WriteResult> done;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return {WriteResult::Status::closed, 0, 0, "the store is closing"};
    if (!state_->durability_failure.empty()) {
      return {WriteResult::Status::failed, 0, 0,
              "the store takes no more writes (" + state_->durability_failure +
                  "); restart the collector once the disk is fixed"};
    }
    if (state_->queued_spans + spans.size() > state_->options.max_queued_spans &&
        state_->queued_spans > 0) {
      return {WriteResult::Status::queue_full, 0, 0, "the write queue is full"};
    }
    state_->queued_spans += spans.size();
    PendingWrite& pending = state_->queue.emplace_back();
    pending.spans = std::move(spans);
    done = pending.done.get_future();
  }
  state_->wake.notify_one();
  return done.get();
}

Expected<std::optional<StoredTrace>> SpanStore::trace(const TraceId& trace_id) const {
  std::lock_guard lock(state_->reader_mutex);
  try {
    Statement select = state_->reader_db->prepare(select_spans_sql);
    StoredTrace trace;
    trace.spans = load_trace(select, trace_id, trace.last_received_unix_nano);
    if (trace.spans.empty()) return std::optional<StoredTrace>();
    Statement verdict = state_->reader_db->prepare(
        "SELECT verdict FROM traces WHERE trace_id = ?1 AND settled = 1");
    verdict.bind_blob(1, trace_id.bytes.data(), trace_id.bytes.size());
    if (verdict.step()) trace.settled_verdict_json = verdict.column_text(0);
    return std::optional<StoredTrace>(std::move(trace));
  } catch (const SqliteError& failure) {
    return Error{ErrorCode::io_error, failure.what()};
  }
}

StoreStats SpanStore::stats() const {
  std::lock_guard lock(state_->mutex);
  StoreStats stats = state_->stats;
  stats.queued_spans = state_->queued_spans;
  return stats;
}

std::uint64_t SpanStore::now_unix_nano() const {
  return state_->now();
}

std::mutex& SpanStore::reader_mutex() const {
  return state_->reader_mutex;
}

Database& SpanStore::reader() const {
  return *state_->reader_db;
}

}  // namespace tracemesh::collector
