// Query strings as users type them into curl or a browser.
#include <gtest/gtest.h>

#include "collector/http/search_api.h"

namespace tracemesh::collector {
namespace {

TEST(QueryParams, SplitsAtTheFirstEqualsAndDecodes) {
  struct Row {
    const char* target;
    QueryParams expected;
  };
  const Row rows[] = {
      {"/api/traces", {}},
      {"/api/traces?", {}},
      {"/api/traces?service=front", {{"service", "front"}}},
      {"/api/traces?attr=http.response.status_code=200",
       {{"attr", "http.response.status_code=200"}}},
      {"/api/traces?attr=a%3Db&attr=c=d", {{"attr", "a=b"}, {"attr", "c=d"}}},
      {"/api/traces?operation=POST%20%2Fcheckout", {{"operation", "POST /checkout"}}},
      {"/api/traces?operation=GET+%2F", {{"operation", "GET /"}}},
      {"/api/traces?flag&&x=%zz", {{"flag", ""}, {"x", "%zz"}}},
      {"/api/traces?x=1#fragment", {{"x", "1"}}},
      {"/api/traces?x=%4", {{"x", "%4"}}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.target);
    EXPECT_EQ(parse_query_params(row.target), row.expected);
  }
}

}  // namespace
}  // namespace tracemesh::collector
