#include "collector/store/span_store.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <system_error>
#include <thread>

#include "collector/store/arriving_traces.h"
#include "collector/store/checkpointer.h"
#include "collector/store/log_syncer.h"
#include "collector/store/log_writer.h"
#include "collector/store/retention.h"
#include "collector/store/schema.h"
#include "collector/store/settler.h"
#include "collector/store/span_rows.h"
#include "collector/store/span_writer.h"
#include "collector/store/sqlite.h"

namespace tracemesh::collector {

struct SpanStore::PendingWrite {
  std::vector<model::SpanRecord> spans;
  bool logs_write = false;  // log records (and a file offset) rather than spans
  std::vector<model::LogRecord> logs;
  std::optional<FileOffset> offset;
  std::promise<WriteResult> done;
};

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t system_now() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

using PendingWrite = SpanStore::PendingWrite;

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
  std::string commit_failure;      // the last commit failed (cleared by the next that works)
  std::thread writer;
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
    SpanWriter spans(writer_db, arriving);
    LogWriter logs(writer_db);
    Settler settler(writer_db, arriving, options.integrity);
    Retention retention(writer_db, arriving, options.max_age, options.max_bytes);
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
      if (!batch.empty()) commit(batch, spans, logs);
      if (Clock::now() >= next_settle) {
        if (const auto pass = settler.settle(now())) {
          std::lock_guard lock(mutex);
          stats.traces_settled += pass->settled;
          stats.traces_settled_from_memory += pass->from_memory;
          settle_backlog = pass->backlog;
        }
        // With traces still due, come back as soon as queued writes are committed.
        next_settle = settle_backlog ? Clock::now() : Clock::now() + options.settle_interval;
      }
      if (Clock::now() >= next_retention) {
        if (const std::size_t expired = retention.apply(now()); expired > 0) {
          std::lock_guard lock(mutex);
          stats.traces_expired += expired;
        }
        next_retention = Clock::now() + options.retention_interval;
      }
    }
  }

  // Spans and log records go in a transaction each; should the second fail
  // after the first committed, every write is answered failed and the
  // senders retry: a redelivered span is stored once.
  void commit(std::deque<PendingWrite>& batch, SpanWriter& spans, LogWriter& logs) {
    const auto started = Clock::now();
    std::vector<WriteResult> results(batch.size());
    try {
      std::vector<const std::vector<model::SpanRecord>*> span_writes;
      std::vector<LogWriter::Write> log_writes;
      std::vector<std::size_t> span_index;
      std::vector<std::size_t> log_index;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].logs_write) {
          log_writes.push_back({&batch[i].logs, &batch[i].offset});
          log_index.push_back(i);
        } else {
          span_writes.push_back(&batch[i].spans);
          span_index.push_back(i);
        }
      }
      const std::uint64_t received = now();
      if (!span_writes.empty()) {
        std::vector<WriteResult> stored = spans.store(span_writes, received);
        for (std::size_t i = 0; i < stored.size(); ++i) results[span_index[i]] = stored[i];
      }
      if (!log_writes.empty()) {
        std::vector<WriteResult> stored = logs.store(log_writes, received);
        for (std::size_t i = 0; i < stored.size(); ++i) {
          results[log_index[i]] = stored[i];
        }
      }
    } catch (const std::exception& error) {
      // SqliteError, or bad_alloc: fail the writes, keep serving.
      {
        std::lock_guard lock(mutex);
        commit_failure = error.what();
      }
      fail(batch, error.what());
      return;
    }
    const auto elapsed =
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - started);
    {
      std::lock_guard lock(mutex);
      commit_failure.clear();
      ++stats.transactions;
      stats.write_nanos_total += static_cast<std::uint64_t>(elapsed.count());
      for (std::size_t i = 0; i < results.size(); ++i) {
        if (batch[i].logs_write) {
          stats.log_records_stored += results[i].stored;
          continue;
        }
        stats.spans_stored += results[i].stored;
        stats.spans_duplicate += results[i].duplicates;
      }
    }
    for (PendingWrite& pending : batch) {
      std::vector<model::SpanRecord>().swap(pending.spans);  // stored: free them now
      std::vector<model::LogRecord>().swap(pending.logs);
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
  PendingWrite pending;
  pending.spans = std::move(spans);
  return enqueue(std::move(pending));
}

WriteResult SpanStore::write_logs(std::vector<model::LogRecord> records,
                                  std::optional<FileOffset> offset) {
  if (records.empty() && !offset) return {};
  PendingWrite pending;
  pending.logs_write = true;
  pending.logs = std::move(records);
  pending.offset = std::move(offset);
  return enqueue(std::move(pending));
}

WriteResult SpanStore::enqueue(PendingWrite pending) {
  const std::size_t size = pending.logs_write ? pending.logs.size() : pending.spans.size();
  std::future<WriteResult> done;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopping) return {WriteResult::Status::closed, 0, 0, "the store is closing"};
    if (!state_->durability_failure.empty()) {
      return {WriteResult::Status::failed, 0, 0,
              "the store takes no more writes (" + state_->durability_failure +
                  "); restart the collector once the disk is fixed"};
    }
    if (state_->queued_spans + size > state_->options.max_queued_spans &&
        state_->queued_spans > 0) {
      return {WriteResult::Status::queue_full, 0, 0, "the write queue is full"};
    }
    state_->queued_spans += size;
    done = pending.done.get_future();
    state_->queue.push_back(std::move(pending));
  }
  state_->wake.notify_one();
  return done.get();
}

Expected<std::vector<model::LogRecord>> SpanStore::logs(const TraceId& trace_id,
                                                        std::size_t limit) const {
  std::lock_guard lock(state_->reader_mutex);
  try {
    Statement select = state_->reader_db->prepare(
        "SELECT span_id, service, time_unix_nano, severity, body, attributes, logged_id "
        "FROM logs WHERE trace_id = ?1 ORDER BY time_unix_nano, rowid LIMIT ?2");
    select.bind_blob(1, trace_id.bytes.data(), trace_id.bytes.size())
        .bind(2, static_cast<std::int64_t>(limit));
    std::vector<model::LogRecord> records;
    while (select.step()) {
      model::LogRecord& record = records.emplace_back();
      record.trace_id = trace_id;
      record.span_id = id_from_blob<SpanId>(select.column_blob(0));
      record.service = select.column_text(1);
      record.time_unix_nano = static_cast<std::uint64_t>(select.column_int(2));
      record.severity = select.column_text(3);
      record.body = select.column_text(4);
      record.attributes = select.column_text(5);
      record.logged_id = select.column_text(6);
    }
    return records;
  } catch (const SqliteError& failure) {
    return Error{ErrorCode::io_error, failure.what()};
  }
}

Expected<std::optional<FileOffset>> SpanStore::file_offset(const std::string& path) const {
  std::lock_guard lock(state_->reader_mutex);
  try {
    Statement select = state_->reader_db->prepare(
        "SELECT device, inode, offset, head_size, head_hash FROM log_files WHERE path = ?1");
    select.bind(1, path);
    if (!select.step()) return std::optional<FileOffset>();
    FileOffset offset;
    offset.path = path;
    offset.device = static_cast<std::uint64_t>(select.column_int(0));
    offset.inode = static_cast<std::uint64_t>(select.column_int(1));
    offset.offset = static_cast<std::uint64_t>(select.column_int(2));
    offset.head_size = static_cast<std::uint64_t>(select.column_int(3));
    offset.head_hash = static_cast<std::uint64_t>(select.column_int(4));
    return std::optional<FileOffset>(std::move(offset));
  } catch (const SqliteError& failure) {
    return Error{ErrorCode::io_error, failure.what()};
  }
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

StoreHealth SpanStore::health() const {
  std::lock_guard lock(state_->mutex);
  if (state_->stopping) return {false, "the store is closing"};
  if (!state_->durability_failure.empty()) {
    return {false, "the store takes no more writes: " + state_->durability_failure, true};
  }
  if (!state_->commit_failure.empty()) {
    return {false, "the last write failed: " + state_->commit_failure};
  }
  const std::size_t limit = state_->options.max_queued_spans;
  if (state_->queued_spans > limit - limit / 10) {
    return {false, "the write queue is over 90% full (" + std::to_string(state_->queued_spans) +
                       " of " + std::to_string(limit) + " spans and log records waiting)"};
  }
  return {};
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
