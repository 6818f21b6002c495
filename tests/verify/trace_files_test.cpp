// OTLP JSON files as verify reads them: one request per file or per line,
// judged like the collector judges (broken hops found across the files),
// and a clear error for every file it cannot use.
#include "verify/trace_files.h"
#include "verify/span_attributes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "collector_process.h"
#include "otlp_fixture.h"

namespace tracemesh::verify {
namespace {

using testing::otlp_request;
using testing::three_services;
using tracemesh::testing::TemporaryDirectory;

const std::string connected_id = "4bf92f3577b34da6a3ce929d0e0e4736";
const std::string broken_id = "5bf92f3577b34da6a3ce929d0e0e4736";
const std::string callee_id = "6bf92f3577b34da6a3ce929d0e0e4736";

class TraceFiles : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& content) {
    const auto path = directory_.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  TemporaryDirectory directory_;
};

TEST_F(TraceFiles, JudgesEachTraceAndFindsBrokenHopsAcrossFiles) {
  // The broken trace's caller and callee halves in two different files.
  auto broken = three_services(broken_id, true, callee_id, "b");
  const auto callee = broken.back();
  broken.pop_back();
  const auto traces = read_trace_files(
      {write("connected.json", otlp_request(three_services(connected_id, false))),
       write("caller.json", otlp_request(broken)), write("callee.json", otlp_request({callee}))},
      {});
  ASSERT_TRUE(traces) << traces.error().text();
  ASSERT_EQ(traces->size(), 3U);
  const auto find = [&](const std::string& id) -> const model::Trace& {
    for (const model::Trace& trace : *traces) {
      if (trace.trace_id.to_hex() == id) return trace;
    }
    ADD_FAILURE() << "no trace " << id;
    return traces->front();
  };
  const model::Trace& connected = find(connected_id);
  EXPECT_TRUE(connected.settled());
  EXPECT_EQ(connected.spans.size(), 5U);
  ASSERT_EQ(connected.verdict.roots.size(), 1U);
  EXPECT_EQ(connected.verdict.roots[0].to_hex(), "a000000000000001");
  EXPECT_TRUE(connected.verdict.broken_hops.empty());
  const model::Trace& caller = find(broken_id);
  ASSERT_EQ(caller.verdict.broken_hops.size(), 1U);
  EXPECT_EQ(caller.verdict.broken_hops[0].caller_service, "agent-service");
  EXPECT_EQ(caller.verdict.broken_hops[0].callee_service, "rag-service");
  EXPECT_EQ(caller.verdict.broken_hops[0].callee_trace_id.to_hex(), callee_id);
  EXPECT_EQ(caller.verdict.broken_hops[0].culprit, model::Culprit::caller_did_not_inject);
  // Attributes keep their JSON types for the assertions.
  const model::SpanRecord* server = connected.find(*SpanId::from_hex("a000000000000003"));
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(span_attributes(*server)["http.response.status_code"], 200);
}

TEST_F(TraceFiles, ReadsJsonLinesAndCountsARedeliveredSpanOnce) {
  const std::string request = otlp_request(three_services(connected_id, false));
  const auto traces =
      read_trace_files({write("export.jsonl", request + "\n\n" + request + "\n")}, {});
  ASSERT_TRUE(traces) << traces.error().text();
  ASSERT_EQ(traces->size(), 1U);
  EXPECT_EQ(traces->front().spans.size(), 5U);
}

TEST_F(TraceFiles, NameTheFileAndLineOfWhatTheyCannotUse) {
  const std::string good = otlp_request(three_services(connected_id, false));
  auto result = read_trace_files({write("bad.json", "{\"resourceSpans\": [")}, {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().text().find("bad.json: "), std::string::npos) << result.error().text();
  result = read_trace_files({write("lines.jsonl", good + "\n{oops\n")}, {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().text().find("lines.jsonl:2: "), std::string::npos)
      << result.error().text();
  result = read_trace_files({(directory_.path() / "missing.json").string()}, {});
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::io_error);
  EXPECT_NE(result.error().text().find("missing.json: cannot read"), std::string::npos);
  // A span the decoder rejects fails the file: no check may pass on a partial trace.
  std::string bad_id = good;
  bad_id.replace(bad_id.find(connected_id), connected_id.size(), "not-hex");
  result = read_trace_files({write("rejected.json", bad_id)}, {});
  ASSERT_FALSE(result);
  EXPECT_NE(result.error().text().find("rejected.json: 1 span(s) rejected"), std::string::npos)
      << result.error().text();
}

TEST_F(TraceFiles, AnEmptyRequestHoldsNoTrace) {
  const auto traces = read_trace_files({write("empty.json", "{}")}, {});
  ASSERT_TRUE(traces) << traces.error().text();
  EXPECT_TRUE(traces->empty());
}

}  // namespace
}  // namespace tracemesh::verify
