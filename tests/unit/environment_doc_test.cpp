// docs/environment.md holds the table that environment_variables() generates,
// between the markers below (TRACEMESH_SOURCE_DIR is the source tree, set
// by the build); this test fails (printing the expected table)
// when the two drift apart.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "tracemesh/environment.h"

namespace {

std::string generated_table() {
  std::string table = "| Variable | Default | Meaning |\n|---|---|---|\n";
  for (const auto& variable : tracemesh::environment_variables()) {
    table += "| `" + std::string(variable.name) + "` | " +
             (variable.default_value.empty() ? std::string("(unset)")
                                             : "`" + std::string(variable.default_value) + "`") +
             " | " + std::string(variable.description) + " |\n";
  }
  return table;
}

TEST(EnvironmentDoc, DocumentedTableMatchesTheSdkTable) {
  const std::string source = TRACEMESH_SOURCE_DIR;
  std::ifstream file(std::string(source) + "/docs/environment.md");
  ASSERT_TRUE(file) << "docs/environment.md is missing";
  std::stringstream buffer;
  buffer << file.rdbuf();
  const std::string text = buffer.str();
  const std::string begin = "<!-- environment-table:begin -->\n";
  const std::string end = "<!-- environment-table:end -->";
  const auto first = text.find(begin);
  const auto last = text.find(end);
  ASSERT_NE(first, std::string::npos) << "marker missing: " << begin;
  ASSERT_NE(last, std::string::npos) << "marker missing: " << end;
  const auto documented = text.substr(first + begin.size(), last - first - begin.size());
  EXPECT_EQ(documented, generated_table()) << "expected table:\n" << generated_table();
}

TEST(EnvironmentDoc, EveryVariableHasADescription) {
  for (const auto& variable : tracemesh::environment_variables()) {
    SCOPED_TRACE(std::string(variable.name));
    EXPECT_FALSE(variable.description.empty());
    EXPECT_TRUE(variable.name.starts_with("OTEL_") || variable.name.starts_with("TRACEMESH_"));
  }
}

}  // namespace
