// The names the query API writes for kinds, status codes and culprits read
// back to the same values; anything else is nullopt.
#include <gtest/gtest.h>

#include "model/span_record.h"
#include "model/trace_integrity.h"

namespace tracemesh::model {
namespace {

TEST(EnumNames, ReadBackWhatToStringWrites) {
  for (const SpanKind kind : {SpanKind::unspecified, SpanKind::internal, SpanKind::server,
                              SpanKind::client, SpanKind::producer, SpanKind::consumer}) {
    EXPECT_EQ(span_kind_named(to_string(kind)), kind) << to_string(kind);
  }
  for (const StatusCode code : {StatusCode::unset, StatusCode::ok, StatusCode::error}) {
    EXPECT_EQ(status_code_named(to_string(code)), code) << to_string(code);
  }
  for (const Culprit culprit :
       {Culprit::unknown, Culprit::caller_did_not_inject, Culprit::callee_did_not_extract}) {
    EXPECT_EQ(culprit_named(to_string(culprit)), culprit) << to_string(culprit);
  }
  EXPECT_FALSE(span_kind_named("Server"));
  EXPECT_FALSE(status_code_named(""));
  EXPECT_FALSE(culprit_named("caller"));
}

}  // namespace
}  // namespace tracemesh::model
