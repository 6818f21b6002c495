// The SQLite span store on a real database file in a temporary directory.
#include "collector/store/span_store.h"

#include "collector/store/schema.h"
#include "collector/store/service_graph.h"
#include "collector/store/sqlite.h"
#include "collector/store/trace_search.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <limits>
#include <set>
#include <thread>

namespace tracemesh::collector {
namespace {

constexpr std::uint64_t second = 1'000'000'000;

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tracemesh-store.XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TemporaryDirectory() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

model::SpanRecord span(std::uint64_t trace, std::uint64_t id, std::uint64_t parent,
                       const char* service = "svc", const char* name = "op") {
  model::SpanRecord record;
  record.trace_id = TraceId::from_halves(7, trace);
  record.span_id = SpanId::from_uint64(id);
  if (parent != 0) record.parent_span_id = SpanId::from_uint64(parent);
  record.service = service;
  record.name = name;
  record.kind = model::SpanKind::server;
  record.start_unix_nano = 1000 + id;
  record.end_unix_nano = 2000 + id;
  record.attributes_json = R"({"k":"v"})";
  record.destination.path = "/p";
  return record;
}

class SpanStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<SpanStore> open(std::uint64_t max_bytes = 0,
                                  std::size_t arriving_cache_bytes = 256U << 20U,
                                  std::size_t checkpoint_pages = 1000,
                                  std::size_t max_wal_pages = 16384) {
    StoreOptions options;
    options.arriving_cache_bytes = arriving_cache_bytes;
    options.checkpoint_pages = checkpoint_pages;
    options.max_wal_pages = max_wal_pages;
    options.max_age = std::chrono::hours(1);
    options.max_bytes = max_bytes;
    options.retention_interval = std::chrono::milliseconds(10);
    options.directory = directory_.path() / "data";
    options.integrity.grace_nanos = 10 * second;
    options.settle_interval = std::chrono::milliseconds(10);
    options.clock = [this] { return now_.load(); };
    auto store = SpanStore::open(options);
    EXPECT_TRUE(store) << store.error().text();
    return store ? std::move(*store) : nullptr;
  }

  TemporaryDirectory directory_;
  std::atomic<std::uint64_t> now_{100 * second};
};

TEST_F(SpanStoreTest, StoresSpansAndReadsATraceBack) {
  auto store = open();
  const auto result = store->write({span(1, 1, 0, "front"), span(1, 2, 1, "back"), span(2, 3, 0)});
  EXPECT_EQ(result.status, WriteResult::Status::committed);
  EXPECT_EQ(result.stored, 3U);
  EXPECT_EQ(result.duplicates, 0U);

  const auto trace = store->trace(TraceId::from_halves(7, 1));
  ASSERT_TRUE(trace);
  ASSERT_TRUE(trace->has_value());
  const auto& spans = (*trace)->spans;
  ASSERT_EQ(spans.size(), 2U);
  EXPECT_EQ(spans[0].service, "front");
  EXPECT_TRUE(spans[0].is_root());
  EXPECT_EQ(spans[1].parent_span_id, SpanId::from_uint64(1));
  EXPECT_EQ(spans[1].attributes_json, R"({"k":"v"})");
  EXPECT_EQ(spans[1].destination.path, "/p");
  EXPECT_EQ((*trace)->last_received_unix_nano, 100 * second);

  const auto missing = store->trace(TraceId::from_halves(7, 99));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

// A failed sync of the write-ahead log is final (log_syncer.h): the write
// whose commit it held fails, and the store refuses every later one.
TEST_F(SpanStoreTest, RefusesWritesOnceTheLogCouldNotBeSynced) {
  auto store = open();
  const auto log = directory_.path() / "data" / "tracemesh.db-wal";
  ASSERT_TRUE(std::filesystem::exists(log));  // written by the schema's migration
  // The syncer opens the log by name at its first sync: gone, it cannot.
  // SQLite's connections, all opened by open(), keep writing to the removed
  // file through the handles they hold; none recreates the name.
  std::filesystem::remove(log);
  const WriteResult first = store->write({span(1, 1, 0)});
  EXPECT_EQ(first.status, WriteResult::Status::failed);
  EXPECT_NE(first.message.find("write-ahead log"), std::string::npos) << first.message;

  const WriteResult later = store->write({span(2, 2, 0)});
  EXPECT_EQ(later.status, WriteResult::Status::failed);
  EXPECT_NE(later.message.find("the store takes no more writes"), std::string::npos)
      << later.message;
  EXPECT_EQ(later.stored, 0U);
}

TEST_F(SpanStoreTest, StoresARedeliveredSpanOnce) {
  auto store = open();
  EXPECT_EQ(store->write({span(1, 1, 0), span(1, 2, 1)}).stored, 2U);
  const auto again = store->write({span(1, 2, 1), span(1, 3, 1)});
  EXPECT_EQ(again.stored, 1U);
  EXPECT_EQ(again.duplicates, 1U);
  EXPECT_EQ((*store->trace(TraceId::from_halves(7, 1)))->spans.size(), 3U);
  EXPECT_EQ(store->stats().spans_duplicate, 1U);
}

TEST_F(SpanStoreTest, KeepsSpansAcrossReopen) {
  {
    auto store = open();
    store->write({span(1, 1, 0)});
  }
  auto store = open();
  EXPECT_EQ((*store->trace(TraceId::from_halves(7, 1)))->spans.size(), 1U);
}

TEST_F(SpanStoreTest, SettlesQuietTracesWithTheirVerdict) {
  auto store = open();
  store->write({span(1, 1, 0), span(1, 2, 9)});  // span 2's parent never arrives
  now_ = 200 * second;
  for (int i = 0; i < 500 && store->stats().traces_settled == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(store->stats().traces_settled, 1U);
  store.reset();

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory_.path() / "data" / "tracemesh.db").c_str(), &db), SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  ASSERT_EQ(
      sqlite3_prepare_v2(db, "SELECT integrity, settled, span_count, root_service FROM traces", -1,
                         &statement, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_step(statement), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)), "orphans");
  EXPECT_EQ(sqlite3_column_int(statement, 1), 1);
  EXPECT_EQ(sqlite3_column_int(statement, 2), 2);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(statement, 3)), "svc");
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

// Wait up to 5 s for `condition`.
template <typename Condition>
bool eventually(Condition condition) {
  for (int i = 0; i < 1000 && !condition(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return condition();
}

// The stored summary of `trace` (7, trace): integrity, span count, verdict JSON.
struct StoredSummary {
  std::string integrity;
  int span_count = 0;
  std::string verdict;
};

// Run `sql` on the stored database, read-only, with trace (7, `trace`) bound
// to ?1; hand its first row, if any, to `read`.
template <typename Read>
void read_trace_row(const std::filesystem::path& directory, const char* sql, std::uint64_t trace,
                    Read read) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2((directory / "data" / "tracemesh.db").c_str(), &db,
                            SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &statement, nullptr), SQLITE_OK);
  const TraceId id = TraceId::from_halves(7, trace);
  sqlite3_bind_blob(statement, 1, id.bytes.data(), static_cast<int>(id.bytes.size()),
                    SQLITE_STATIC);
  if (sqlite3_step(statement) == SQLITE_ROW) read(statement);
  sqlite3_finalize(statement);
  sqlite3_close(db);
}

StoredSummary stored_summary(const std::filesystem::path& directory, std::uint64_t trace) {
  StoredSummary summary;
  read_trace_row(directory,
                 "SELECT integrity, span_count, verdict FROM traces WHERE trace_id = ?1 AND "
                 "settled = 1",
                 trace, [&](sqlite3_stmt* row) {
                   summary.integrity = reinterpret_cast<const char*>(sqlite3_column_text(row, 0));
                   summary.span_count = sqlite3_column_int(row, 1);
                   summary.verdict = reinterpret_cast<const char*>(sqlite3_column_text(row, 2));
                 });
  return summary;
}

// Write a trace with a root, a child that starts before it, an orphan and an
// unfinished span; let it settle; return its stored summary.
StoredSummary settle_mixed_trace(SpanStore& store, std::atomic<std::uint64_t>& now,
                                 const std::filesystem::path& directory,
                                 std::uint64_t expect_from_memory) {
  model::SpanRecord early = span(3, 2, 1);
  early.start_unix_nano = 900;  // before its parent (1001)
  model::SpanRecord unfinished = span(3, 4, 1);
  unfinished.end_unix_nano = 0;
  store.write({span(3, 1, 0, "front"), early});
  store.write({span(3, 5, 66, "back"), unfinished});
  now = now + 20 * second;
  for (int i = 0; i < 500 && store.stats().traces_settled == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(store.stats().traces_settled, 1U);
  EXPECT_EQ(store.stats().traces_settled_from_memory, expect_from_memory);
  return stored_summary(directory, 3);
}

TEST_F(SpanStoreTest, SettlesTheSameVerdictWhetherTheTraceIsHeldInMemoryOrReadBack) {
  const StoredSummary held = settle_mixed_trace(*open(), now_, directory_.path(), 1);
  std::filesystem::remove_all(directory_.path() / "data");
  now_ = 100 * second;
  const StoredSummary read_back = settle_mixed_trace(*open(0, 0), now_, directory_.path(), 0);
  EXPECT_EQ(held.integrity, "orphans");
  EXPECT_EQ(held.span_count, 4);
  EXPECT_NE(held.verdict.find("\"clock_skew\":[{"), std::string::npos) << held.verdict;
  EXPECT_EQ(held.verdict, read_back.verdict);
}

int stored_hops(const std::filesystem::path& directory, std::uint64_t caller_trace) {
  int hops = -1;
  read_trace_row(directory, "SELECT count(*) FROM broken_hops WHERE caller_trace_id = ?1",
                 caller_trace, [&](sqlite3_stmt* row) { hops = sqlite3_column_int(row, 0); });
  return hops;
}

// Trace 21's CLIENT call to /p is answered by no span of its own: the callee
// "orders" started trace 20 instead. Let both settle; return trace 21's summary.
StoredSummary settle_broken_hop(SpanStore& store, std::atomic<std::uint64_t>& now,
                                const std::filesystem::path& directory,
                                std::uint64_t expect_from_memory) {
  model::SpanRecord call = span(21, 2, 1, "front", "GET /p");
  call.kind = model::SpanKind::client;
  store.write({span(20, 1, 0, "orders", "GET /p")});
  store.write({span(21, 1, 0, "front"), call});
  now = now + 20 * second;
  EXPECT_TRUE(eventually([&] { return store.stats().traces_settled == 2; }));
  EXPECT_EQ(store.stats().traces_settled_from_memory, expect_from_memory);
  return stored_summary(directory, 21);
}

TEST_F(SpanStoreTest, StoresABrokenHopTheSameWayHeldOrReadBackAndForgetsItWhenAnswered) {
  auto store = open();
  const StoredSummary held = settle_broken_hop(*store, now_, directory_.path(), 2);
  EXPECT_EQ(held.integrity, "broken_hop") << held.verdict;
  EXPECT_EQ(stored_hops(directory_.path(), 21), 1);

  // A late SERVER span answers the call: judged again (read back), the hop goes.
  model::SpanRecord answer = span(21, 3, 2, "orders", "GET /p");
  store->write({answer});
  now_ = now_ + 20 * second;
  ASSERT_TRUE(eventually([&] { return store->stats().traces_settled == 3; }));
  EXPECT_EQ(store->stats().traces_settled_from_memory, 2U) << "a settled trace is read back";
  EXPECT_EQ(stored_summary(directory_.path(), 21).integrity, "connected");
  EXPECT_EQ(stored_hops(directory_.path(), 21), 0);
  store.reset();

  std::filesystem::remove_all(directory_.path() / "data");
  now_ = 100 * second;
  const StoredSummary read_back = settle_broken_hop(*open(0, 0), now_, directory_.path(), 0);
  EXPECT_EQ(held.verdict, read_back.verdict);
  EXPECT_EQ(stored_hops(directory_.path(), 21), 1);
}

// A call dated just before 2262 (2^63-1 ns, the latest time the store
// holds): its callee window reaches past that time and is clamped, not
// wrapped to a negative bound that matches no callee.
TEST_F(SpanStoreTest, FindsABrokenHopJustBeforeTheLatestStorableTime) {
  auto store = open();
  constexpr std::uint64_t late = std::numeric_limits<std::int64_t>::max() - 10'000;
  const auto dated = [&](model::SpanRecord record) {
    record.start_unix_nano += late;
    record.end_unix_nano += late;
    return record;
  };
  model::SpanRecord call = span(21, 2, 1, "front", "GET /p");
  call.kind = model::SpanKind::client;
  store->write({dated(span(20, 1, 0, "orders", "GET /p"))});
  store->write({dated(span(21, 1, 0, "front")), dated(call)});
  now_ = now_ + 20 * second;
  ASSERT_TRUE(eventually([&] { return store->stats().traces_settled == 2; }));
  EXPECT_EQ(stored_summary(directory_.path(), 21).integrity, "broken_hop");
  EXPECT_EQ(stored_hops(directory_.path(), 21), 1);
}

TEST_F(SpanStoreTest, SettlesATraceBegunBeforeAReopenWithAllItsSpans) {
  open()->write({span(4, 1, 0)});
  auto store = open();
  store->write({span(4, 2, 1)});  // its parent was stored by the earlier process
  now_ = 200 * second;
  ASSERT_TRUE(eventually([&] { return store->stats().traces_settled == 1; }));
  const StoredSummary summary = stored_summary(directory_.path(), 4);
  EXPECT_EQ(summary.integrity, "connected") << summary.verdict;
  EXPECT_EQ(summary.span_count, 2);
  EXPECT_EQ(store->stats().traces_settled_from_memory, 0U) << "its first span is only on disk";
}

TEST_F(SpanStoreTest, ResettlesATraceWhenALateSpanArrives) {
  auto store = open();
  store->write({span(5, 1, 0)});
  now_ = 200 * second;
  ASSERT_TRUE(eventually([&] { return store->stats().traces_settled == 1; }));
  store->write({span(5, 2, 1), span(5, 3, 8)});  // span 3's parent never arrives
  now_ = 300 * second;
  ASSERT_TRUE(eventually([&] { return store->stats().traces_settled == 2; }));
  const StoredSummary summary = stored_summary(directory_.path(), 5);
  EXPECT_EQ(summary.integrity, "orphans") << summary.verdict;
  EXPECT_EQ(summary.span_count, 3);
  EXPECT_NE(summary.verdict.find("\"span_count\":3"), std::string::npos) << summary.verdict;
}

TEST_F(SpanStoreTest, DeletesTracesOlderThanTheMaximumAge) {
  auto store = open();
  store->write({span(1, 1, 0)});
  now_ = 100 * second + 1800 * second;  // 30 min later
  store->write({span(2, 2, 0)});
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_TRUE(store->trace(TraceId::from_halves(7, 1))->has_value())
      << "30 minutes is within the hour";
  now_ = 100 * second + 3700 * second;  // trace 1 is now 61 min old, trace 2 31 min
  ASSERT_TRUE(eventually([&] { return store->stats().traces_expired == 1; }));
  EXPECT_FALSE(store->trace(TraceId::from_halves(7, 1))->has_value());
  EXPECT_TRUE(store->trace(TraceId::from_halves(7, 2))->has_value());
}

TEST_F(SpanStoreTest, DeletesTheOldestTracesAboveTheMaximumSize) {
  auto store = open(512 * 1024);
  std::string padding(4000, 'x');
  for (std::uint64_t trace = 1; trace <= 400; ++trace) {
    model::SpanRecord record = span(trace, trace, 0);
    record.attributes_json = R"({"padding":")" + padding + R"("})";
    store->write({record});
    now_ += second;
  }
  ASSERT_TRUE(eventually([&] { return store->stats().traces_expired > 0; }));
  EXPECT_FALSE(store->trace(TraceId::from_halves(7, 1))->has_value()) << "the oldest goes first";
  EXPECT_TRUE(store->trace(TraceId::from_halves(7, 400))->has_value()) << "the newest stays";
}

TEST_F(SpanStoreTest, RefusesADatabaseFromANewerVersion) {
  open().reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((directory_.path() / "data" / "tracemesh.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  StoreOptions options;
  options.directory = directory_.path() / "data";
  const auto store = SpanStore::open(options);
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("schema version 99"), std::string::npos)
      << store.error().message;
}

TEST_F(SpanStoreTest, UnwritableDirectoryIsAClearError) {
  StoreOptions options;
  options.directory = "/proc/tracemesh-cannot-exist";
  const auto store = SpanStore::open(options);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, ErrorCode::io_error);
  EXPECT_NE(store.error().message.find("/proc/tracemesh-cannot-exist"), std::string::npos);
}

// Write 40 traces of 50 spans with 1 KB of attributes each; return how many were stored.
std::size_t write_padded_spans(SpanStore& store) {
  const std::string padding(1000, 'x');
  std::size_t stored = 0;
  for (std::uint64_t batch = 0; batch < 40; ++batch) {
    std::vector<model::SpanRecord> spans;
    for (std::uint64_t i = 1; i <= 50; ++i) {
      spans.push_back(span(batch + 1, i, 0));
      spans.back().attributes_json = R"({"padding":")" + padding + R"("})";
    }
    stored += store.write(std::move(spans)).stored;
  }
  return stored;
}

TEST_F(SpanStoreTest, CopiesTheLogIntoTheDatabaseAndKeepsTheLogBounded) {
  auto store = open(0, 256U << 20U, 16, 64);
  ASSERT_EQ(write_padded_spans(*store), 2000U);
  const auto data = directory_.path() / "data";
  // 2,000 spans of about 1 KB: far more than the 64 pages (256 KiB) the log may hold.
  EXPECT_LT(std::filesystem::file_size(data / "tracemesh.db-wal"), 160U * 4096U);
  EXPECT_TRUE(eventually([&] {
    return std::filesystem::file_size(data / "tracemesh.db") > 2000U * 1000U;
  })) << "the checkpoints copied the spans into the database file";
  EXPECT_EQ((*store->trace(TraceId::from_halves(7, 40)))->spans.size(), 50U);
}

// Three spans of trace `trace` from `start`: front's SERVER root, its CLIENT
// call 100 ns later, and orders' SERVER span for that call 100 ns after that.
std::vector<model::SpanRecord> call_chain(std::uint64_t trace, std::uint64_t start) {
  std::vector<model::SpanRecord> spans{span(trace, trace * 10 + 1, 0, "front"),
                                       span(trace, trace * 10 + 2, trace * 10 + 1, "front"),
                                       span(trace, trace * 10 + 3, trace * 10 + 2, "orders")};
  spans[1].kind = model::SpanKind::client;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    spans[i].start_unix_nano = start + 100 * i;
    spans[i].end_unix_nano = start + 1000;
  }
  return spans;
}

std::set<std::string> graph_services(const SpanStore& store, std::uint64_t from, std::uint64_t to) {
  const auto graph = service_graph(store, from, to);
  EXPECT_TRUE(graph) << graph.error().text();
  return graph ? std::set<std::string>(graph->services.begin(), graph->services.end())
               : std::set<std::string>();
}

TEST_F(SpanStoreTest, GraphWindowsHoldTheSpansThatStartInThem) {
  auto store = open();
  store->write(call_chain(1, 1000));
  store->write(call_chain(2, 100'000));
  EXPECT_EQ(graph_services(*store, 0, 50'000), (std::set<std::string>{"front", "orders"}));
  const auto first = service_graph(*store, 0, 50'000);
  ASSERT_TRUE(first);
  ASSERT_EQ(first->edges.size(), 1U);
  EXPECT_EQ(first->edges[0].connected, 1U) << "trace 2's call is outside the window";
  // Only orders' span (1200) starts in [1150, 1250]; the call (1100) does not.
  EXPECT_EQ(graph_services(*store, 1150, 1250), std::set<std::string>{"orders"});
  EXPECT_TRUE(service_graph(*store, 1150, 1250)->edges.empty());
  EXPECT_EQ(graph_services(*store, 1000, 1000), std::set<std::string>{"front"});
  EXPECT_EQ(service_graph(*store, 90'000, 200'000)->edges.at(0).connected, 1U);
  EXPECT_TRUE(graph_services(*store, 2000, 90'000).empty());
}

// A window far in the past finds its traces through traces_by_start, a
// recent one through traces_by_last_start: each reads the traces on the
// window's near side, not every trace since its start. A few traces with
// odd clocks (dated 2100, or 0) do not change the choice.
TEST_F(SpanStoreTest, GraphWindowsReadTheirTracesThroughTheNarrowerIndex) {
  auto store = open();
  for (std::uint64_t trace = 1; trace <= 300; ++trace) {
    store->write(call_chain(trace, trace * 10'000));  // a call at trace * 10,000 + 100
  }
  store->write(call_chain(1000, 4'102'444'800'000'000'000));  // 2100-01-01
  store->write(call_chain(1001, 0));
  struct Row {
    std::uint64_t start;
    std::uint64_t end;
    WindowIndex index;
    const char* index_name;
    std::uint64_t connected;
  };
  const Row rows[] = {
      {10'000, 15'000, WindowIndex::by_start, "traces_by_start", 1},
      {0, 35'000, WindowIndex::by_start, "traces_by_start", 4},
      {2'900'000, 3'000'500, WindowIndex::by_last_start, "traces_by_last_start", 11},
      {0, UINT64_MAX, WindowIndex::by_last_start, "traces_by_last_start", 302},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::to_string(row.start) + ".." + std::to_string(row.end));
    store->with_reader([&](Database& db) {
      EXPECT_EQ(window_index(db, row.start, row.end), row.index);
      for (const std::string& plan : graph_query_plans(db, row.start, row.end)) {
        EXPECT_NE(plan.find(std::string("SEARCH t USING INDEX ") + row.index_name + " ("),
                  std::string::npos)
            << plan;
        EXPECT_NE(plan.find("USING INDEX spans_by_id (trace_id=?"), std::string::npos) << plan;
      }
    });
    const auto graph = service_graph(*store, row.start, row.end);
    ASSERT_TRUE(graph) << graph.error().text();
    ASSERT_EQ(graph->edges.size(), 1U);
    EXPECT_EQ(graph->edges[0].connected, row.connected);
  }
}

// Bounds past 2^63-1 ns mean "no bound", not a negative time.
TEST_F(SpanStoreTest, SearchBoundsPastTheLatestStorableTimeMatchEverything) {
  auto store = open();
  store->write(call_chain(1, 1000));
  TraceQuery query;
  query.start_before_unix_nano = UINT64_MAX;
  const auto found = search_traces(*store, query);
  ASSERT_TRUE(found) << found.error().text();
  EXPECT_EQ(found->size(), 1U);
  query.min_duration_nanos = UINT64_MAX;
  EXPECT_TRUE(search_traces(*store, query)->empty());
}

TEST_F(SpanStoreTest, MigratesAVersion1DatabaseKeepingItsTraces) {
  const auto data = directory_.path() / "data";
  std::filesystem::create_directories(data);
  {
    Database db((data / "tracemesh.db").string(), true);
    db.execute("PRAGMA journal_mode = WAL");
    migrate(db, 1);
    // Two spans of one trace as version 1 stored them.
    db.execute(R"sql(
INSERT INTO resources (id, attributes) VALUES (1, '{}');
INSERT INTO spans VALUES
  (x'00000000000000070000000000000009', x'0000000000000001', NULL, 'front', 'GET /', 2, 5000, 9000,
   0, '', '{}', '[]', '[]', 1, '', '', 0, '/', '', '', '', '', 1),
  (x'00000000000000070000000000000009', x'0000000000000002', x'0000000000000001', 'front', 'call', 3,
   7000, 8000, 0, '', '{}', '[]', '[]', 1, '', 'orders', 80, '/o', '', '', '', '', 1);
INSERT INTO traces VALUES (x'00000000000000070000000000000009', 2, 5000, 9000, 'front', 'GET /', 1,
  'arriving', '{}', 0);
INSERT INTO broken_hops VALUES (x'00000000000000060000000000000009', x'0000000000000002', 'front',
  x'00000000000000080000000000000001', x'0000000000000003', 'orders', 'http', 'unknown', 7000);)sql");
  }
  auto store = open();
  const auto trace = store->trace(TraceId::from_halves(7, 9));
  ASSERT_TRUE(trace && trace->has_value());
  EXPECT_EQ((*trace)->spans.size(), 2U);
  // The graph finds the trace's second span by the last start the migration filled in.
  EXPECT_EQ(graph_services(*store, 6000, 7500), std::set<std::string>{"front"});

  Database db((data / "tracemesh.db").string(), false);
  Statement version = db.prepare("PRAGMA user_version");
  ASSERT_TRUE(version.step());
  EXPECT_EQ(version.column_int(0), schema_version);
  Statement last_start = db.prepare("SELECT last_start_unix_nano FROM traces");
  ASSERT_TRUE(last_start.step());
  EXPECT_EQ(last_start.column_int(0), 7000);
  Statement index = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'spans_by_start'");
  ASSERT_TRUE(index.step());
  EXPECT_EQ(index.column_int(0), 0);
  // Version 3: spans stored before it have flags "not reported" and no link
  // ids; the hops stored before it were broken ones. (The hop's caller trace
  // is not stored: settling trace 7/9 again must not replace the row.)
  Statement flags = db.prepare("SELECT count(*) FROM spans WHERE flags = 0 AND link_refs = x''");
  ASSERT_TRUE(flags.step());
  EXPECT_EQ(flags.column_int(0), 2);
  Statement outcome = db.prepare("SELECT outcome FROM broken_hops");
  ASSERT_TRUE(outcome.step());
  EXPECT_EQ(outcome.column_text(0), "broken");
}

TEST_F(SpanStoreTest, CheckpointsOnItsOwnThread) {
  // The writer never checkpoints itself here: only the thread can copy the log.
  auto store = open(0, 256U << 20U, 16, SIZE_MAX);
  ASSERT_EQ(write_padded_spans(*store), 2000U);
  const auto database = directory_.path() / "data" / "tracemesh.db";
  EXPECT_TRUE(eventually([&] { return std::filesystem::file_size(database) > 1000U * 1000U; }))
      << "the checkpoint thread copied the log into the database file";
}

TEST_F(SpanStoreTest, AHeldTraceTakesARedeliveredSpanOnce) {
  auto store = open();
  store->write({span(6, 1, 0), span(6, 2, 1)});
  const WriteResult again = store->write({span(6, 2, 1), span(6, 3, 1)});
  EXPECT_EQ(again.duplicates, 1U);
  now_ = 200 * second;
  ASSERT_TRUE(eventually([&] { return store->stats().traces_settled == 1; }));
  EXPECT_EQ(store->stats().traces_settled_from_memory, 1U);
  const StoredSummary summary = stored_summary(directory_.path(), 6);
  EXPECT_EQ(summary.integrity, "connected") << summary.verdict;
  EXPECT_NE(summary.verdict.find("\"span_count\":3"), std::string::npos) << summary.verdict;
}

TEST_F(SpanStoreTest, ManyWritersAllGetCommitted) {
  auto store = open();
  std::vector<std::thread> writers;
  std::atomic<std::size_t> stored{0};
  for (std::uint64_t w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (std::uint64_t i = 0; i < 50; ++i) {
        stored += store->write({span(100 + w, i + 1, 0)}).stored;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(stored.load(), 200U);
  EXPECT_EQ(store->stats().spans_stored, 200U);
  EXPECT_LE(store->stats().transactions, 200U);
}

}  // namespace
}  // namespace tracemesh::collector
