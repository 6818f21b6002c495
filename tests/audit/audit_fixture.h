// What the audit tests share: the fixture fleet, a repository scanned with
// its services and the fleet the rules run on, and a temporary repository
// written from strings.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "audit/fleet.h"
#include "collector_process.h"

namespace tracemesh::audit::testing {

inline const std::string fleet_fixture =
    std::string(TRACEMESH_SOURCE_DIR) + "/tests/fixtures/fleet-fastapi";

// `root` scanned, its services discovered, and a Fleet over them.
class AuditedRepository {
 public:
  explicit AuditedRepository(const std::filesystem::path& root,
                             std::vector<std::string> trusted_wrappers = {}) {
    auto scanned = scan_repository(root, {});
    EXPECT_TRUE(scanned) << scanned.error().text();
    if (scanned) repository_ = std::move(*scanned);
    services_ = discover_services(repository_);
    fleet_ = std::make_unique<Fleet>(repository_, services_, headers_, std::move(trusted_wrappers));
  }
  const Repository& repository() const { return repository_; }
  const ServiceMap& services() const { return services_; }
  const Fleet& fleet() const { return *fleet_; }

 private:
  Repository repository_;
  ServiceMap services_;
  TraceHeaders headers_;
  std::unique_ptr<Fleet> fleet_;
};

// A repository written into a temporary folder (the collector tests'
// TemporaryDirectory: removed afterwards, kept when the test failed).
class TemporaryRepository {
 public:
  // Write `text` to `relative` (folders made as needed).
  void write(const std::string& relative, const std::string& text) const {
    const std::filesystem::path path = directory_.path() / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
  }
  const std::filesystem::path& root() const { return directory_.path(); }

 private:
  ::tracemesh::testing::TemporaryDirectory directory_;
};

}  // namespace tracemesh::audit::testing
