// The older semantic-convention names: a check naming either name of a pair
// reads the other, in selectors and assertions alike; and docs/verify.md
// lists exactly the pairs the code knows.
#include "verify/attribute_aliases.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "trace_builder.h"
#include "verify/assertion_check.h"
#include "verify/expectation.h"

namespace tracemesh::verify {
namespace {

using testing::TraceBuilder;

Outcome run(const std::string& text, const model::Trace& trace) {
  SyntaxError error;
  const auto expectation = parse_expectation(text, error);
  EXPECT_TRUE(expectation.has_value()) << text << ": " << error.message;
  return check_assertion(std::get<Assertion>(expectation->body), trace);
}

TEST(AttributeAliases, AChecksNamesReadTheOlderOnesAndBack) {
  const model::Trace trace =
      TraceBuilder()
          .span(
              "a1", "", "old-python", "GET /items", "server", 0, 100,
              nlohmann::json::parse(
                  R"({"http.status_code":503,"http.method":"GET","http.target":"/items?page=2"})"))
          .span("a2", "", "new-go", "GET /items", "server", 0, 100,
                nlohmann::json::parse(
                    R"({"http.response.status_code":200,"http.request.method":"GET"})"))
          .build();
  struct Row {
    const char* expectation;
    bool holds;
  };
  const Row rows[] = {
      {"span[service=old-python] http.response.status_code = 503", true},
      {"span[service=new-go] http.status_code = 200", true},
      {"span[http.request.method=GET] http.method = GET", true},
      {"count(span[http.method=GET]) = 2", true},
      {"span[service=old-python] url.path contains /items", true},
      {"span[kind=server] http.response.status_code < 500", false},
      // Presence asks for the name as written: a migration check means what it says.
      {"span[service=old-python] http.response.status_code exists", false},
      {"span[service=old-python] http.status_code exists", true},
      {"span[service=new-go] http.status_code not exists", true},
      {"count(span[http.status_code]) = 1", true},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.expectation);
    EXPECT_EQ(run(row.expectation, trace).passed, row.holds) << run(row.expectation, trace).message;
  }
}

TEST(AttributeAliases, TheDocsListEveryPair) {
  std::ifstream file(std::string(TRACEMESH_SOURCE_DIR) + "/docs/verify.md");
  ASSERT_TRUE(file);
  std::stringstream text;
  text << file.rdbuf();
  for (const auto& [current, older] : attribute_aliases()) {
    const std::string row = "| `" + std::string(current) + "` | `" + std::string(older) + "` |";
    EXPECT_NE(text.str().find(row), std::string::npos) << row;
    ASSERT_EQ(aliases_of(current).size(), 1U);
    EXPECT_EQ(aliases_of(current)[0], older);
    EXPECT_EQ(aliases_of(older)[0], current);
  }
  EXPECT_TRUE(aliases_of("http.route").empty());
}

}  // namespace
}  // namespace tracemesh::verify
