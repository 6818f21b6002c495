#include "map/site_paths.h"

#include <gtest/gtest.h>

#include "audit/audit_fixture.h"

namespace tracemesh::map {
namespace {

using audit::testing::TemporaryRepository;

class RepositoryFile : public ::testing::Test {
 protected:
  void SetUp() override {
    repository_.write("ui/main.cpp", "one\ntwo\nthree\n");
    repository_.write("main.cpp", "only\n");
  }
  TemporaryRepository repository_;
};

TEST_F(RepositoryFile, FindsTheLongestTrailingPartUnderTheRoot) {
  EXPECT_EQ(repository_file(repository_.root(), "/build/agent/examples/fleet/ui/main.cpp", 2),
            "ui/main.cpp");
  EXPECT_EQ(repository_file(repository_.root(), "ui/main.cpp", 3), "ui/main.cpp");
  EXPECT_EQ(repository_file(repository_.root(), "./ui/main.cpp", 1), "ui/main.cpp");
}

TEST_F(RepositoryFile, NeedsTwoComponentsUnlessThePathHasOne) {
  // /elsewhere/main.cpp is not the repository's main.cpp: one component is too weak.
  EXPECT_EQ(repository_file(repository_.root(), "/elsewhere/main.cpp", 1), std::nullopt);
  EXPECT_EQ(repository_file(repository_.root(), "main.cpp", 1), "main.cpp");
}

TEST_F(RepositoryFile, RefusesALinePastTheEndAndPathsOutsideTheRoot) {
  EXPECT_EQ(repository_file(repository_.root(), "/src/ui/main.cpp", 4), std::nullopt);
  EXPECT_EQ(repository_file(repository_.root(), "../ui/main.cpp", 1), "ui/main.cpp");
  EXPECT_EQ(repository_file(repository_.root(), "/src/other/main.cpp", 1), std::nullopt);
  EXPECT_EQ(repository_file(repository_.root(), "", 1), std::nullopt);
}

}  // namespace
}  // namespace tracemesh::map
