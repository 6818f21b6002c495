// Following JSON-lines log files (`collect --log-file`): a real SQLite store
// in a temporary directory, real files appended to, rotated by rename,
// truncated, and a restart that resumes where the committed records end.
// Each poll is called by the test (no thread), so every step is exact.
#include "collector/log_tail.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "collector_process.h"
#include "ingest/json_log_lines.h"

namespace tracemesh::collector {
namespace {

using tracemesh::testing::TemporaryDirectory;

std::string line(const std::string& id, const std::string& message,
                 const std::string& service = "") {
  return R"({"ts":"2026-12-07T19:10:00.5Z","trace_id":")" + id + R"(","msg":")" + message + "\"" +
         (service.empty() ? "" : R"(,"service":")" + service + "\"") + "}\n";
}

void append(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

class LogTail : public ::testing::Test {
 protected:
  std::unique_ptr<SpanStore> open_store() {
    StoreOptions options;
    options.directory = directory_.path() / "data";
    auto store = SpanStore::open(options);
    EXPECT_TRUE(store) << store.error().text();
    return store ? std::move(*store) : nullptr;
  }

  // The bodies of the records naming `id`, in time then arrival order.
  std::vector<std::string> bodies(const SpanStore& store, const std::string& id) {
    const auto logs = store.logs(*ingest::logged_trace_id(id));
    EXPECT_TRUE(logs);
    std::vector<std::string> out;
    if (logs) {
      for (const model::LogRecord& record : *logs)
        out.push_back(record.service + ": " + record.body);
    }
    return out;
  }

  TemporaryDirectory directory_;
  std::filesystem::path file_ = directory_.path() / "app.log";
  IngestCounters counters_;
};

TEST_F(LogTail, ReadsCompleteLinesNamingATraceAndSkipsTheRest) {
  auto store = open_store();
  ASSERT_TRUE(store);
  append(file_, "starting up\n" + line("r-1", "first") + line("", "no id") +
                    R"({"ts":"2026-12-07T19:10:00.5Z","trace_id":"r-1","msg":"partial)");
  LogTailer tailer(*store, counters_, {{file_.string(), "api"}}, std::chrono::milliseconds(0));
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-1"), std::vector<std::string>{"api: first"});
  EXPECT_EQ(counters_.log_file_lines, 3U);          // the partial line waits for its end
  EXPECT_EQ(counters_.log_file_lines_skipped, 1U);  // "starting up"
  EXPECT_EQ(counters_.log_records_received, 1U);    // "no id" names no trace: not kept

  append(file_, "\"}\n" + line("r-1", "named", "worker"));
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-1"),
            (std::vector<std::string>{"api: first", "api: partial", "worker: named"}));
}

TEST_F(LogTail, FollowsARotationByRenameAndATruncation) {
  auto store = open_store();
  ASSERT_TRUE(store);
  append(file_, line("r-2", "one"));
  LogTailer tailer(*store, counters_, {{file_.string(), "api"}}, std::chrono::milliseconds(0));
  tailer.poll();
  // Written to the old file after the last poll, then rotated: both halves are read.
  append(file_, line("r-2", "two"));
  std::filesystem::rename(file_, directory_.path() / "app.log.1");
  append(file_, line("r-2", "three"));
  tailer.poll();
  // The old file is read until it stops growing: the application may still
  // write to it (here a last line without its newline) before it reopens.
  const std::string late = line("r-2", "late");
  append(directory_.path() / "app.log.1", late.substr(0, late.size() - 1));
  for (int i = 0; i < 5; ++i) tailer.poll();
  EXPECT_EQ(bodies(*store, "r-2"),
            (std::vector<std::string>{"api: one", "api: two", "api: late", "api: three"}));
  EXPECT_EQ(counters_.log_file_rotations, 1U);

  // copytruncate: the file shrinks in place; it is read again from its start.
  std::filesystem::resize_file(file_, 0);
  tailer.poll();
  append(file_, line("r-2", "four"));
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-2"), (std::vector<std::string>{"api: one", "api: two", "api: late",
                                                             "api: three", "api: four"}));
  EXPECT_EQ(counters_.log_file_rotations, 2U);

  // Rewritten in place and already longer than what was read: told by its first bytes.
  std::ofstream(file_, std::ios::trunc) << line("r-9", "rewritten") + line("r-9", "again");
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-9"), (std::vector<std::string>{"api: rewritten", "api: again"}));
}

TEST_F(LogTail, ARestartDoesNotResumeInAFileRewrittenMeanwhile) {
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    append(file_, line("r-5", "old"));
    LogTailer tailer(*store, counters_, {{file_.string(), "api"}}, std::chrono::milliseconds(0));
    tailer.poll();
  }
  // copytruncate while the collector was down, the file grown past the old offset since.
  std::ofstream(file_, std::ios::trunc) << line("r-6", "first of the new") + line("r-6", "second");
  auto store = open_store();
  ASSERT_TRUE(store);
  LogTailer tailer(*store, counters_, {{file_.string(), "api"}}, std::chrono::milliseconds(0));
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-6"),
            (std::vector<std::string>{"api: first of the new", "api: second"}));
}

TEST_F(LogTail, CountsWhatItCannotFollowAndNeverBlocksOnAFifo) {
  auto store = open_store();
  ASSERT_TRUE(store);
  const auto fifo = directory_.path() / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const auto folder = directory_.path() / "folder";
  std::filesystem::create_directory(folder);
  LogTailer tailer(*store, counters_, {{fifo.string(), "api"}, {folder.string(), "api"}},
                   std::chrono::milliseconds(0));
  tailer.poll();  // returns: a FIFO with no writer is not waited on
  tailer.poll();
  EXPECT_EQ(counters_.log_file_errors, 2U);  // once each
}

TEST_F(LogTail, StoresARecordOnceWhenTheSameLinesAreReadTwice) {
  auto store = open_store();
  ASSERT_TRUE(store);
  append(file_, line("r-8", "only once"));
  // The same file followed twice: both read the same lines.
  LogTailer tailer(*store, counters_, {{file_.string(), "api"}, {file_.string(), "api"}},
                   std::chrono::milliseconds(0));
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-8"), std::vector<std::string>{"api: only once"});
  EXPECT_EQ(counters_.log_records_received, 1U);
}

TEST_F(LogTail, ARestartResumesWhereTheCommittedRecordsEnd) {
  {
    auto store = open_store();
    ASSERT_TRUE(store);
    append(file_, line("r-3", "before"));
    LogTailer tailer(*store, counters_, {{file_.string(), "api"}}, std::chrono::milliseconds(0));
    tailer.poll();
    const auto offset = store->file_offset(file_.string());
    ASSERT_TRUE(offset && *offset);
    EXPECT_EQ((*offset)->offset, std::filesystem::file_size(file_));
  }
  append(file_, line("r-3", "while down"));  // written while the collector was stopped
  auto store = open_store();
  ASSERT_TRUE(store);
  LogTailer tailer(*store, counters_, {{file_.string(), "api"}}, std::chrono::milliseconds(0));
  tailer.poll();
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-3"), (std::vector<std::string>{"api: before", "api: while down"}));
}

TEST_F(LogTail, WaitsForAFileThatDoesNotExistYetAndSkipsOverlongLines) {
  auto store = open_store();
  ASSERT_TRUE(store);
  LogTailer tailer(*store, counters_, {{file_.string(), "api"}}, std::chrono::milliseconds(0));
  tailer.poll();  // no file: nothing happens
  const std::string huge(ingest::max_log_line_bytes + 10, 'x');
  append(file_, huge + "\n" + std::string(3 << 20, 'y') + "\n" + line("r-4", "after"));
  tailer.poll();
  EXPECT_EQ(bodies(*store, "r-4"), std::vector<std::string>{"api: after"});
  EXPECT_EQ(counters_.log_file_lines_skipped, 2U);
}

TEST(LogFileArgument, NamesTheServiceAfterTheLastColon) {
  EXPECT_EQ(parse_log_file_argument("/var/log/app.log:billing").path, "/var/log/app.log");
  EXPECT_EQ(parse_log_file_argument("/var/log/app.log:billing").service, "billing");
  EXPECT_EQ(parse_log_file_argument("/var/log/app.log").service, "");
  EXPECT_TRUE(parse_log_file_argument("C:/logs/app.log").path.ends_with("C:/logs/app.log"));
  EXPECT_EQ(parse_log_file_argument("C:/logs/app.log").service, "");
  // A colon inside a file name that does not exist yet is no service.
  EXPECT_TRUE(parse_log_file_argument("/var/log/app-10:00.log").path.ends_with("app-10:00.log"));
  EXPECT_EQ(parse_log_file_argument("/var/log/app-10:00.log").service, "");
}

}  // namespace
}  // namespace tracemesh::collector
