// Scanning a repository: which files are read, which folders are skipped,
// and every unusable file reported rather than fatal.
#include "audit/repository.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "audit/python/parser.h"

namespace tracemesh::audit {
namespace {

namespace fs = std::filesystem;

class RepositoryScan : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "tracemesh-audit.XXXXXX").string();
    root_ = mkdtemp(pattern.data());
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& path, const std::string& content) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path, std::ios::binary) << content;
  }
  std::vector<std::string> paths(const Repository& repository) {
    std::vector<std::string> found;
    for (const auto& module : repository.modules) found.push_back(module.path);
    return found;
  }
  fs::path root_;
};

TEST_F(RepositoryScan, ReadsPythonComposeAndDockerfilesButNotVirtualenvsOrCaches) {
  write("services/api/app/main.py", "import httpx\n");
  write("services/api/Dockerfile", "FROM python:3.12\n");
  write("services/worker/worker.py", "print(1)\n");
  write("services/worker/Dockerfile.dev", "FROM python\n");
  write("docker-compose.yml", "services: {}\n");
  write("deploy/docker-compose.prod.yaml", "services: {}\n");
  write(".venv/lib/site.py", "x = 1\n");
  write("services/api/venv/lib.py", "x = 1\n");
  write("node_modules/pkg/a.py", "x = 1\n");
  write("services/api/__pycache__/main.cpython-312.py", "x = 1\n");
  write("pkg.egg-info/x.py", "x = 1\n");
  write("legacy/old.py", "x = 1\n");
  write("README.md", "# hi\n");
  ScanOptions options;
  options.excluded = {"legacy/"};
  const auto repository = scan_repository(root_, options);
  ASSERT_TRUE(repository) << repository.error().text();
  EXPECT_EQ(paths(*repository),
            (std::vector<std::string>{"services/api/app/main.py", "services/worker/worker.py"}));
  EXPECT_EQ(repository->compose_files,
            (std::vector<std::string>{"deploy/docker-compose.prod.yaml", "docker-compose.yml"}));
  EXPECT_EQ(repository->dockerfiles, (std::vector<std::string>{"services/api/Dockerfile",
                                                               "services/worker/Dockerfile.dev"}));
  EXPECT_TRUE(repository->problems.empty());
  EXPECT_EQ(repository->python_bytes, 22U);
}

TEST_F(RepositoryScan, ReportsUnusableFilesAndKeepsGoing) {
  write("ok.py", "import requests\nrequests.get('http://x')\n");
  write("binary.py", std::string("\x7f"
                                 "ELF\0\0",
                                 6));
  write("broken.py", "def f(:\n  pass\n");
  write("huge.py", std::string(max_python_file_bytes + 10, '#'));
  fs::create_directory_symlink(root_, root_ / "loop");  // not followed
  const auto repository = scan_repository(root_, {});
  ASSERT_TRUE(repository) << repository.error().text();
  EXPECT_EQ(paths(*repository), (std::vector<std::string>{"broken.py", "ok.py"}));
  ASSERT_EQ(repository->problems.size(), 3U);
  EXPECT_EQ(repository->problems[0].path, "binary.py");
  EXPECT_NE(repository->problems[0].message.find("not text"), std::string::npos);
  EXPECT_EQ(repository->problems[1].path, "broken.py");
  EXPECT_NE(repository->problems[1].message.find("syntax errors"), std::string::npos);
  EXPECT_EQ(repository->problems[2].path, "huge.py");
  EXPECT_NE(repository->problems[2].message.find("larger than 8 MiB"), std::string::npos);
}

TEST_F(RepositoryScan, ParsesInParallelWithTheSameResultAndReportsProgress) {
  for (int i = 0; i < 200; ++i) {
    write(
        "pkg/m" + std::to_string(i) + ".py",
        "import httpx\n\ndef f():\n    return httpx.get('http://svc" + std::to_string(i) + "')\n");
  }
  ScanOptions serial;
  serial.threads = 1;
  ScanOptions parallel;
  parallel.threads = 4;
  std::size_t last_done = 0;
  std::size_t reported_total = 0;
  parallel.progress = [&](std::size_t done, std::size_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    reported_total = total;
  };
  const auto one = scan_repository(root_, serial);
  const auto many = scan_repository(root_, parallel);
  ASSERT_TRUE(one && many);
  EXPECT_EQ(paths(*one), paths(*many));
  EXPECT_EQ(many->modules.size(), 200U);
  EXPECT_EQ(last_done, 200U);
  EXPECT_EQ(reported_total, 200U);
  for (std::size_t i = 0; i < many->modules.size(); ++i) {
    ASSERT_EQ(many->modules[i].calls.size(), 1U);
    EXPECT_EQ(many->modules[i].calls[0].callee, "httpx.get");
    EXPECT_EQ(many->modules[i].calls[0].arguments, one->modules[i].calls[0].arguments);
  }
}

TEST(RepositoryScanErrors, ARootThatIsNotAFolderIsAnError) {
  const auto repository = scan_repository("/nonexistent/tracemesh", {});
  ASSERT_FALSE(repository);
  EXPECT_EQ(repository.error().code, ErrorCode::io_error);
}

}  // namespace
}  // namespace tracemesh::audit
