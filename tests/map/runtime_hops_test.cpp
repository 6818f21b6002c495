#include "map/runtime_hops.h"

#include <gtest/gtest.h>

namespace tracemesh::map {
namespace {

TEST(ParseRuntimeHops, ReadsEveryField) {
  const auto hops = parse_runtime_hops(R"({"start_unix_nano":1,"end_unix_nano":9,
    "unsettled_traces":2,"truncated":true,"hops":[
    {"caller":"ui","callee":"auth","peer":null,"protocol":"http","method":"POST","route":null,
     "path":"/verify","topic":null,"site":{"file":"/b/ui/main.cpp","line":58,"function":"f"},
     "connected":3,"broken":{"caller_did_not_inject":2,"callee_did_not_extract":1,"unknown":4},
     "restarted":6,"unanswered":5,"unsampled":7,"formats":{"none":2},"example_trace_id":"ab"},
    {"caller":"ui","callee":null,"peer":"10.0.0.1:80","protocol":"http","site":null,
     "connected":0,"broken":{},"unanswered":1}]})");
  ASSERT_TRUE(hops) << hops.error().text();
  EXPECT_EQ(hops->start_unix_nano, 1U);
  EXPECT_EQ(hops->unsettled_traces, 2U);
  EXPECT_TRUE(hops->truncated);
  ASSERT_EQ(hops->hops.size(), 2U);
  const RuntimeHop& hop = hops->hops[0];
  EXPECT_EQ(hop.callee, "auth");
  EXPECT_EQ(hop.path, "/verify");
  ASSERT_TRUE(hop.site);
  EXPECT_EQ(hop.site->line, 58);
  EXPECT_EQ(hop.broken_caller_did_not_inject, 2U);
  EXPECT_EQ(hop.broken_callee_did_not_extract, 1U);
  EXPECT_EQ(hop.broken_unknown, 4U);
  EXPECT_EQ(hop.restarted, 6U);
  EXPECT_EQ(hop.unsampled, 7U);
  EXPECT_EQ(hop.calls(), 3U + 7U + 6U + 5U + 7U);
  EXPECT_EQ(hops->hops[1].restarted, 0U);  // absent: an older collector
  EXPECT_EQ(hop.formats.at("none"), 2U);
  EXPECT_EQ(hops->hops[1].peer, "10.0.0.1:80");
  EXPECT_FALSE(hops->hops[1].site);
}

// A line no file has loses that hop's site, not the whole answer.
TEST(ParseRuntimeHops, ASiteWithAnImpossibleLineIsDropped) {
  const auto hops = parse_runtime_hops(R"({"start_unix_nano":1,"end_unix_nano":2,"hops":[
    {"caller":"a","site":{"file":"/x/a.py","line":-3},"connected":1,"broken":{},"unanswered":0},
    {"caller":"a","site":{"file":"/x/a.py","line":200000000},"connected":1,"broken":{},"unanswered":0},
    {"caller":"a","site":{"file":"/x/a.py","line":"7"},"connected":1,"broken":{},"unanswered":0}]})");
  ASSERT_TRUE(hops) << hops.error().text();
  ASSERT_EQ(hops->hops.size(), 3U);
  for (const RuntimeHop& hop : hops->hops) EXPECT_FALSE(hop.site);
}

TEST(ParseRuntimeHops, NamesWhatIsWrong) {
  const auto error = [](const char* text) {
    const auto hops = parse_runtime_hops(text);
    return hops ? std::string("parsed") : std::string(hops.error().text());
  };
  EXPECT_NE(error("[]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error("{").find("not a JSON object"), std::string::npos);
  EXPECT_NE(error(R"({"start_unix_nano":1,"end_unix_nano":2})").find("missing \"hops\""),
            std::string::npos);
  EXPECT_NE(error(R"({"start_unix_nano":-1,"end_unix_nano":2,"hops":[]})")
                .find("\"start_unix_nano\" must be a non-negative integer"),
            std::string::npos);
  EXPECT_NE(error(R"({"start_unix_nano":1,"end_unix_nano":2,"hops":[{"caller":"a",
      "connected":1,"unanswered":0,"broken":[]}]})")
                .find("hops[0]: \"broken\" must be an object"),
            std::string::npos);
  EXPECT_NE(error(R"({"start_unix_nano":1,"end_unix_nano":2,"hops":[{"caller":7}]})")
                .find("hops[0]: \"caller\" must be a string"),
            std::string::npos);
}

}  // namespace
}  // namespace tracemesh::map
