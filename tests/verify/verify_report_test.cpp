// The text report shows what telemetry and specs hold without letting it
// break the layout or reach the terminal: control characters are escaped,
// and nothing after one is lost.
#include <gtest/gtest.h>

#include <string>

#include "trace_builder.h"
#include "verify/verify_report.h"

namespace tracemesh::verify {
namespace {

using testing::TraceBuilder;

TEST(TextReport, EscapesControlCharactersAndKeepsWhatFollowsThem) {
  const std::string name = std::string("GET \x1b[31m/x\0y\nz\t\x7f", 17) +
                           "\xc2\x9b"
                           "2J \xc3\xa9";  // CSI as U+009B, then an é
  TraceResult result;
  result.trace =
      TraceBuilder().span("a1", "", std::string("svc\r", 4), name, "server", 0, 10).build();
  Outcome failed{false, "'" + name + "' of svc failed", {}};
  result.results.push_back({"check\n1", "bot -> svc", failed});
  Verification verification;
  verification.traces.push_back(result);

  const std::string report = text_report(verification, "");
  EXPECT_NE(report.find("svc\\r  GET \\x1b[31m/x\\x00y\\nz\\t\\x7f\\u009b2J \xc3\xa9  [server]"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("  check\\n1\n"), std::string::npos) << report;
  EXPECT_NE(report.find("'GET \\x1b[31m/x\\x00y\\nz\\t\\x7f\\u009b2J \xc3\xa9' of svc failed"),
            std::string::npos)
      << report;
  EXPECT_EQ(report.find('\x1b'), std::string::npos);
  EXPECT_EQ(report.find('\0'), std::string::npos);
  EXPECT_EQ(report.find('\r'), std::string::npos);
  EXPECT_EQ(report.find("\xc2\x9b"), std::string::npos);
  EXPECT_NE(report.find("verify: FAIL, 1 of 1 expectations failed"), std::string::npos) << report;
}

}  // namespace
}  // namespace tracemesh::verify
