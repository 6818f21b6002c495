// The store's group commit: commits are reported only after the log is synced.
#include "collector/store/log_syncer.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

namespace tracemesh::collector {
namespace {

struct Report {
  std::uint64_t through = 0;
  std::string error;
};

// Records the syncer's reports; waits for one that covers a sequence.
class Reports {
 public:
  LogSyncer::Synced callback() {
    return [this](std::uint64_t through, const std::string& error) {
      std::lock_guard lock(mutex_);
      reports_.push_back({through, error});
      changed_.notify_all();
    };
  }
  bool wait_through(std::uint64_t sequence) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] {
      return !reports_.empty() && reports_.back().through >= sequence;
    });
  }
  std::vector<Report> all() {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Report> reports_;
};

std::filesystem::path scratch(const std::string& name) {
  const auto directory = std::filesystem::temp_directory_path() /
                         ("tracemesh-log-syncer-" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const auto path = directory / name;
  std::filesystem::remove(path);
  return path;
}

// A log file with something in it, as SQLite leaves it after a commit.
std::filesystem::path written_log(const std::string& name) {
  const auto log = scratch(name);
  std::ofstream(log) << "frames";
  return log;
}

TEST(LogSyncer, ReportsEveryCommitHandedOverInOrder) {
  const auto log = written_log("ordered-wal");
  Reports reports;
  LogSyncer syncer(log.string(), reports.callback());
  syncer.committed(1);
  ASSERT_TRUE(reports.wait_through(1));
  syncer.committed(2);
  syncer.committed(3);
  ASSERT_TRUE(reports.wait_through(3));
  std::uint64_t previous = 0;
  for (const Report& report : reports.all()) {
    EXPECT_EQ(report.error, "");
    EXPECT_GT(report.through, previous);  // each commit reported once, in order
    previous = report.through;
  }
  EXPECT_EQ(previous, 3U);
}

TEST(LogSyncer, StoppingReportsWhatWasHandedOver) {
  const auto log = written_log("stopping-wal");
  Reports reports;
  {
    LogSyncer syncer(log.string(), reports.callback());
    syncer.committed(7);
  }
  const auto all = reports.all();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all.back().through, 7U);
  EXPECT_EQ(all.back().error, "");
}

// A failure is final: a later sync could succeed without the pages lost.
TEST(LogSyncer, ReportsALogThatCannotBeOpenedAndEveryLaterCommitWithIt) {
  const auto log = scratch("missing") / "wal";
  std::filesystem::remove_all(log.parent_path());
  Reports reports;
  LogSyncer syncer(log.string(), reports.callback());
  syncer.committed(1);
  ASSERT_TRUE(reports.wait_through(1));
  const std::string first = reports.all().back().error;
  EXPECT_NE(first.find("cannot open the write-ahead log"), std::string::npos) << first;

  std::filesystem::create_directories(log.parent_path());
  std::ofstream(log) << "frames";  // openable now
  syncer.committed(2);
  ASSERT_TRUE(reports.wait_through(2));
  EXPECT_EQ(reports.all().back().error, first);
}

// fdatasync refuses a FIFO (EINVAL): the failure shows the sync is really asked for.
TEST(LogSyncer, ReportsALogThatCannotBeSynced) {
  const auto log = scratch("fifo-wal");
  ASSERT_EQ(::mkfifo(log.c_str(), 0600), 0);
  Reports reports;
  LogSyncer syncer(log.string(), reports.callback());
  syncer.committed(1);
  ASSERT_TRUE(reports.wait_through(1));
  EXPECT_NE(reports.all().back().error.find("cannot sync the write-ahead log"), std::string::npos)
      << reports.all().back().error;
}

}  // namespace
}  // namespace tracemesh::collector
