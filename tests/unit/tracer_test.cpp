// Tests for the Tracer and Span: parenting, ids, attributes and limits,
// events, links, status, ending, sampling and the disabled SDK.

#include "tracemesh/tracer.h"
#include "support/printers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "tracemesh/current_context.h"
#include "tracemesh/environment.h"
#include "tracemesh/in_memory_exporter.h"
#include "tracemesh/sampler.h"
#include "tracemesh/span.h"
#include "tracemesh/span_data.h"
#include "tracemesh/tracer_config.h"

namespace tracemesh {

namespace {

using ::testing::HasSubstr;
using Variables = std::map<std::string, std::string, std::less<>>;

// Return a remote span context as a propagator would extract it.
SpanContext remote_context(bool sampled) {
  SpanContext context;
  context.trace_id = TraceId::from_halves(0x0af7651916cd43dd, 0x8448eb211c80319c);
  context.span_id = SpanId::from_uint64(0xb7ad6b7169203331);
  context.flags = TraceFlags().with_sampled(sampled);
  context.is_remote = true;
  return context;
}

// SpanOptions and TracerOptions built field by field: designated initializers
// that leave fields out trip -Wmissing-field-initializers.
struct Start {
  SpanOptions value;
  Start& kind(SpanKind kind) {
    value.kind = kind;
    return *this;
  }
  Start& parent(Context parent) {
    value.parent = std::move(parent);
    return *this;
  }
  Start& root() {
    value.root = true;
    return *this;
  }
  Start& attributes(Attributes attributes) {
    value.attributes = std::move(attributes);
    return *this;
  }
  Start& links(std::vector<Link> links) {
    value.links = std::move(links);
    return *this;
  }
  Start& at(std::uint64_t start_unix_nano) {
    value.start_unix_nano = start_unix_nano;
    return *this;
  }
  operator SpanOptions() const { return value; }  // NOLINT(google-explicit-constructor)
};

struct Configure {
  TracerOptions value;
  Configure& sampler(std::shared_ptr<const Sampler> sampler) {
    value.sampler = std::move(sampler);
    return *this;
  }
  Configure& sampler_name(std::string name) {
    value.sampler_name = std::move(name);
    return *this;
  }
  Configure& limits(SpanLimits limits) {
    value.limits = limits;
    return *this;
  }
  Configure& service_name(std::string name) {
    value.service_name = std::move(name);
    return *this;
  }
  Configure& resource_attributes(Attributes attributes) {
    value.resource_attributes = std::move(attributes);
    return *this;
  }
  Configure& disabled() {
    value.disabled = true;
    return *this;
  }
  operator TracerOptions() const { return value; }  // NOLINT(google-explicit-constructor)
};

class TracerTest : public ::testing::Test {
 protected:
  // Return a tracer exporting synchronously into exporter_, configured by
  // `options` and `environment` only (never the real process environment).
  Tracer make_tracer(TracerOptions options = {}, const MapEnvironment& environment = {}) {
    options.exporter = exporter_;
    options.synchronous_export = true;
    auto config = finalize(options, environment);
    if (!config) throw std::runtime_error("finalize failed: " + std::string(config.error().text()));
    return Tracer(std::move(*config), "tracer_test", "1.2.3");
  }

  std::vector<SpanData> spans() const { return exporter_->spans(); }

  // Return the one exported span named `name`.
  SpanData exported(const std::string& name) const {
    std::vector<SpanData> found;
    for (auto& span : exporter_->spans()) {
      if (span.name == name) found.push_back(std::move(span));
    }
    if (found.size() != 1) {
      throw std::runtime_error("expected one exported span named " + name + ", found " +
                               std::to_string(found.size()));
    }
    return std::move(found.front());
  }

  std::shared_ptr<InMemoryExporter> exporter_ = std::make_shared<InMemoryExporter>();
};

// --- ids and parenting --------------------------------------------------------------------

TEST_F(TracerTest, RootSpanStartsANewRandomTrace) {
  const Tracer tracer = make_tracer();
  Span first = tracer.start_span("first");
  Span second = tracer.start_span("second");
  EXPECT_TRUE(first.context().is_valid());
  EXPECT_TRUE(second.context().is_valid());
  EXPECT_NE(first.context().trace_id, second.context().trace_id);
  EXPECT_NE(first.context().span_id, second.context().span_id);
  EXPECT_TRUE(first.context().flags.sampled());
  EXPECT_FALSE(first.context().is_remote);
  EXPECT_TRUE(first.is_recording());
  const SpanContext first_context = first.context();
  first.end();
  const SpanData data = exported("first");
  EXPECT_EQ(data.context.trace_id, first_context.trace_id);
  EXPECT_EQ(data.context.span_id, first_context.span_id);
  EXPECT_FALSE(data.parent_span_id.is_valid());
  EXPECT_FALSE(data.parent_is_remote);
}

TEST_F(TracerTest, RootTraceIdsAreDistinct) {
  const Tracer tracer = make_tracer(Configure().sampler(make_always_off_sampler()));
  std::set<std::string> trace_ids;
  for (int i = 0; i < 1000; ++i) {
    trace_ids.insert(tracer.start_span("root").context().trace_id.to_hex());
  }
  EXPECT_EQ(trace_ids.size(), 1000U);
}

TEST_F(TracerTest, ChildOfTheActiveSpanSharesTheTraceAndRecordsItsParent) {
  const Tracer tracer = make_tracer();
  Span parent = tracer.start_span("parent");
  {
    auto scope = activate(parent);
    EXPECT_EQ(current_context().span_context(), parent.context());
    Span child = tracer.start_span("child");
    EXPECT_EQ(child.context().trace_id, parent.context().trace_id);
    EXPECT_NE(child.context().span_id, parent.context().span_id);
    EXPECT_TRUE(child.context().flags.sampled());
  }
  EXPECT_FALSE(current_context().span_context().is_valid());
  parent.end();
  const SpanData child = exported("child");
  EXPECT_EQ(child.context.trace_id, parent.context().trace_id);
  EXPECT_EQ(child.parent_span_id, parent.context().span_id);
  EXPECT_FALSE(child.parent_is_remote);
}

TEST_F(TracerTest, GrandchildrenChainThroughNestedActivation) {
  const Tracer tracer = make_tracer();
  Span root = tracer.start_span("root");
  auto root_scope = activate(root);
  Span child = tracer.start_span("child");
  auto child_scope = activate(child);
  Span grandchild = tracer.start_span("grandchild");
  grandchild.end();
  EXPECT_EQ(exported("grandchild").parent_span_id, child.context().span_id);
  EXPECT_EQ(exported("grandchild").context.trace_id, root.context().trace_id);
}

TEST_F(TracerTest, ExplicitParentWinsOverTheCurrentContext) {
  const Tracer tracer = make_tracer();
  Span active = tracer.start_span("active");
  Span chosen = tracer.start_span("chosen", Start().root());
  ASSERT_NE(active.context().trace_id, chosen.context().trace_id);
  {
    auto scope = activate(active);
    tracer.start_span("child", Start().parent(Context(chosen.context()))).end();
  }
  const SpanData child = exported("child");
  EXPECT_EQ(child.context.trace_id, chosen.context().trace_id);
  EXPECT_EQ(child.parent_span_id, chosen.context().span_id);
}

TEST_F(TracerTest, ExplicitEmptyParentStartsANewTrace) {
  const Tracer tracer = make_tracer();
  Span active = tracer.start_span("active");
  {
    auto scope = activate(active);
    tracer.start_span("child", Start().parent(Context())).end();
  }
  const SpanData child = exported("child");
  EXPECT_NE(child.context.trace_id, active.context().trace_id);
  EXPECT_FALSE(child.parent_span_id.is_valid());
}

TEST_F(TracerTest, RootIgnoresBothTheCurrentAndTheExplicitParent) {
  const Tracer tracer = make_tracer();
  Span active = tracer.start_span("active");
  auto scope = activate(active);
  tracer.start_span("root_from_current", Start().root()).end();
  tracer.start_span("root_from_explicit", Start().parent(Context(remote_context(true))).root())
      .end();
  for (const char* name : {"root_from_current", "root_from_explicit"}) {
    SCOPED_TRACE(name);
    const SpanData root = exported(name);
    EXPECT_NE(root.context.trace_id, active.context().trace_id);
    EXPECT_NE(root.context.trace_id, remote_context(true).trace_id);
    EXPECT_FALSE(root.parent_span_id.is_valid());
    EXPECT_FALSE(root.parent_is_remote);
  }
}

TEST_F(TracerTest, RemoteParentIsMarkedOnTheChild) {
  const Tracer tracer = make_tracer();
  const SpanContext remote = remote_context(true);
  Span child = tracer.start_span("server", Start().kind(SpanKind::server).parent(Context(remote)));
  EXPECT_EQ(child.context().trace_id, remote.trace_id);
  EXPECT_FALSE(child.context().is_remote) << "the child itself is local";
  EXPECT_TRUE(child.is_recording());
  child.end();
  const SpanData data = exported("server");
  EXPECT_EQ(data.parent_span_id, remote.span_id);
  EXPECT_TRUE(data.parent_is_remote);
  EXPECT_EQ(data.kind, SpanKind::server);
}

TEST_F(TracerTest, RemoteParentThroughTheCurrentContextIsMarkedToo) {
  const Tracer tracer = make_tracer();
  {
    Scope scope(Context(remote_context(true)));
    tracer.start_span("server").end();
  }
  const SpanData data = exported("server");
  EXPECT_EQ(data.context.trace_id, remote_context(true).trace_id);
  EXPECT_EQ(data.parent_span_id, remote_context(true).span_id);
  EXPECT_TRUE(data.parent_is_remote);
}

TEST_F(TracerTest, ParentWithOnlyATraceIdContinuesTheTraceAsALocalRoot) {
  // What a legacy X-Trace-ID header without a parent header extracts to.
  SpanContext legacy;
  legacy.trace_id = TraceId::from_halves(0x1111, 0x2222);
  legacy.flags = TraceFlags(TraceFlags::sampled_bit);
  legacy.is_remote = true;
  ASSERT_FALSE(legacy.is_valid());
  ASSERT_TRUE(legacy.has_trace());

  const Tracer tracer = make_tracer(Configure().sampler(make_always_on_sampler()));
  Span span = tracer.start_span("handler", Start().parent(Context(legacy)));
  EXPECT_EQ(span.context().trace_id, legacy.trace_id);
  EXPECT_TRUE(span.context().span_id.is_valid());
  span.end();
  const SpanData data = exported("handler");
  EXPECT_EQ(data.context.trace_id, legacy.trace_id);
  EXPECT_FALSE(data.parent_span_id.is_valid());
}

TEST_F(TracerTest, LegacyTraceIdAndTraceStateAreInheritedByDescendants) {
  SpanContext remote = remote_context(true);
  auto trace_state = TraceState::parse("vendor=abc,other=1");
  ASSERT_TRUE(trace_state.has_value());
  remote.trace_state = *trace_state;
  remote.legacy_trace_id = std::make_shared<const std::string>("Req-42-ABC");

  const Tracer tracer = make_tracer();
  Span child = tracer.start_span("child", Start().parent(Context(remote)));
  auto scope = activate(child);
  Span grandchild = tracer.start_span("grandchild");
  for (const Span* span : {&child, &grandchild}) {
    EXPECT_EQ(span->context().trace_state, remote.trace_state);
    ASSERT_NE(span->context().legacy_trace_id, nullptr);
    EXPECT_EQ(*span->context().legacy_trace_id, "Req-42-ABC");
    EXPECT_EQ(span->context().legacy_id(), "Req-42-ABC");
  }
  grandchild.end();
  const SpanData data = exported("grandchild");
  EXPECT_EQ(data.context.trace_state.header(), "vendor=abc,other=1");
  ASSERT_NE(data.context.legacy_trace_id, nullptr);
  EXPECT_EQ(*data.context.legacy_trace_id, "Req-42-ABC");
}

// --- attributes ---------------------------------------------------------------------------

TEST_F(TracerTest, AttributesKeepTheirTypes) {
  const Tracer tracer = make_tracer();
  Span span = tracer.start_span("typed");
  const std::string owned = "owned";
  const std::string_view view = "view";
  const std::uint32_t unsigned_value = 7;
  span.set_attribute("literal", "true")
      .set_attribute("string", owned)
      .set_attribute("string_view", view)
      .set_attribute("int", 42)
      .set_attribute("unsigned", unsigned_value)
      .set_attribute("int64", std::int64_t{-5})
      .set_attribute("double", 1.5)
      .set_attribute("bool", false)
      .set_attribute("strings", {"a", "b"})
      .set_attribute("ints", std::vector<std::int64_t>{1, 2, 3})
      .set_attribute("doubles", std::vector<double>{0.5, 2.0})
      .set_attribute("bools", std::vector<bool>{true, false});
  span.end();
  const SpanData data = exported("typed");
  const Attributes& attributes = data.attributes;
  ASSERT_EQ(attributes.size(), 12U);

  struct Row {
    const char* key;
    AttributeValue expected;
  };
  const Row rows[] = {
      {"literal", std::string("true")},
      {"string", std::string("owned")},
      {"string_view", std::string("view")},
      {"int", std::int64_t{42}},
      {"unsigned", std::int64_t{7}},
      {"int64", std::int64_t{-5}},
      {"double", 1.5},
      {"bool", false},
      {"strings", std::vector<std::string>{"a", "b"}},
      {"ints", std::vector<std::int64_t>{1, 2, 3}},
      {"doubles", std::vector<double>{0.5, 2.0}},
      {"bools", std::vector<bool>{true, false}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.key);
    const AttributeValue* actual = find_attribute(attributes, row.key);
    ASSERT_NE(actual, nullptr);
    EXPECT_EQ(actual->variant().index(), row.expected.variant().index());
    EXPECT_EQ(*actual, row.expected);
  }
}

TEST_F(TracerTest, SetAttributeReplacesTheSameKey) {
  const Tracer tracer = make_tracer();
  Span span = tracer.start_span("replace");
  span.set_attribute("key", 1).set_attribute("other", "x").set_attribute("key", "two");
  span.end();
  const SpanData data = exported("replace");
  EXPECT_EQ(data.attributes.size(), 2U);
  ASSERT_NE(find_attribute(data.attributes, "key"), nullptr);
  EXPECT_EQ(*find_attribute(data.attributes, "key"), AttributeValue("two"));
  EXPECT_EQ(data.dropped_attributes, 0U);
}

TEST_F(TracerTest, StartOptionsAttributesAreRecorded) {
  const Tracer tracer = make_tracer();
  tracer.start_span("with_options", Start().attributes({{"http.request.method", "GET"}})).end();
  const SpanData data = exported("with_options");
  ASSERT_NE(find_attribute(data.attributes, "http.request.method"), nullptr);
  EXPECT_EQ(*find_attribute(data.attributes, "http.request.method"), AttributeValue("GET"));
}

TEST_F(TracerTest, AttributesBeyondTheCountLimitAreDroppedAndCounted) {
  SpanLimits limits;
  limits.max_attributes = 2;
  const Tracer tracer = make_tracer(Configure().limits(limits));
  Span span = tracer.start_span("limited");
  span.set_attribute("a", 1).set_attribute("b", 2).set_attribute("c", 3).set_attribute("d", 4);
  span.set_attribute("a", 10);  // an existing key is still replaced at the limit
  span.end();
  const SpanData data = exported("limited");
  ASSERT_EQ(data.attributes.size(), 2U);
  EXPECT_EQ(*find_attribute(data.attributes, "a"), AttributeValue(10));
  EXPECT_EQ(*find_attribute(data.attributes, "b"), AttributeValue(2));
  EXPECT_EQ(find_attribute(data.attributes, "c"), nullptr);
  EXPECT_EQ(data.dropped_attributes, 2U);
}

TEST_F(TracerTest, StartOptionsAttributesCountTowardsTheLimit) {
  SpanLimits limits;
  limits.max_attributes = 2;
  const Tracer tracer = make_tracer(Configure().limits(limits));
  tracer.start_span("limited", Start().attributes({{"a", 1}, {"b", 2}, {"c", 3}})).end();
  const SpanData data = exported("limited");
  EXPECT_EQ(data.attributes.size(), 2U);
  EXPECT_EQ(data.dropped_attributes, 1U);
}

TEST_F(TracerTest, EventsBeyondTheLimitAreDroppedAndCounted) {
  SpanLimits limits;
  limits.max_events = 2;
  const Tracer tracer = make_tracer(Configure().limits(limits));
  Span span = tracer.start_span("limited");
  span.add_event("first").add_event("second").add_event("third").add_event("fourth");
  span.end();
  const SpanData data = exported("limited");
  ASSERT_EQ(data.events.size(), 2U);
  EXPECT_EQ(data.events[0].name, "first");
  EXPECT_EQ(data.events[1].name, "second");
  EXPECT_EQ(data.dropped_events, 2U);
}

TEST_F(TracerTest, LinksBeyondTheLimitAreDroppedAndCounted) {
  SpanLimits limits;
  limits.max_links = 1;
  const Tracer tracer = make_tracer(Configure().limits(limits));
  Span span = tracer.start_span("limited");
  span.add_link(remote_context(true))
      .add_link(remote_context(false))
      .add_link(remote_context(true));
  span.end();
  const SpanData data = exported("limited");
  ASSERT_EQ(data.links.size(), 1U);
  EXPECT_EQ(data.links[0].context, remote_context(true));
  EXPECT_EQ(data.dropped_links, 2U);
}

TEST_F(TracerTest, StartOptionsLinksCountTowardsTheLimit) {
  SpanLimits limits;
  limits.max_links = 1;
  const Tracer tracer = make_tracer(Configure().limits(limits));
  tracer
      .start_span("limited",
                  Start().links({Link{remote_context(true), {}}, Link{remote_context(false), {}}}))
      .end();
  const SpanData data = exported("limited");
  EXPECT_EQ(data.links.size(), 1U);
  EXPECT_EQ(data.dropped_links, 1U);
}

TEST_F(TracerTest, AttributeValueLengthLimitTruncatesStrings) {
  SpanLimits limits;
  limits.max_attribute_value_length = 4;
  const Tracer tracer = make_tracer(Configure().limits(limits));
  Span span = tracer.start_span("truncated", Start().attributes({{"from_options", "123456789"}}));
  span.set_attribute("long", "abcdefgh")
      .set_attribute("exact", "abcd")
      .set_attribute("short", "ab")
      .set_attribute("number", 123456789)
      .set_attribute("strings", {"abcdefgh", "xy"});
  span.end();
  const SpanData data = exported("truncated");

  struct Row {
    const char* key;
    AttributeValue expected;
  };
  const Row rows[] = {
      {"from_options", "1234"}, {"long", "abcd"},      {"exact", "abcd"},
      {"short", "ab"},          {"number", 123456789}, {"strings", {"abcd", "xy"}},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.key);
    const AttributeValue* actual = find_attribute(data.attributes, row.key);
    ASSERT_NE(actual, nullptr);
    EXPECT_EQ(*actual, row.expected);
  }
}

TEST_F(TracerTest, ValueLengthLimitCountsCharactersNotBytes) {
  // OpenTelemetry counts characters, so truncation never splits a UTF-8 sequence.
  SpanLimits limits;
  limits.max_attribute_value_length = 4;
  const Tracer tracer = make_tracer(Configure().limits(limits));
  struct Row {
    const char* name;
    std::string value;
    std::string expected;
  };
  const Row rows[] = {
      {"two_byte_characters", "h\xC3\xA9ll\xC3\xB6 w", "h\xC3\xA9ll"},
      {"three_byte_characters", "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86\xE3\x82\xAD",
       "\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x83\x86"},
      {"four_byte_characters",
       "\xF0\x9F\x9A\x80\xF0\x9F\x9A\x80"
       "ab!",
       "\xF0\x9F\x9A\x80\xF0\x9F\x9A\x80"
       "ab"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    exporter_->clear();
    tracer.start_span("utf8").set_attribute("value", row.value);
    EXPECT_EQ(*find_attribute(exported("utf8").attributes, "value"), AttributeValue(row.expected));
  }
}

TEST_F(TracerTest, NoValueLengthLimitByDefault) {
  const Tracer tracer = make_tracer();
  const std::string long_value(10000, 'x');
  tracer.start_span("long").set_attribute("value", long_value);
  EXPECT_EQ(*find_attribute(exported("long").attributes, "value"), AttributeValue(long_value));
}

// --- events, links, names, times ----------------------------------------------------------

TEST_F(TracerTest, EventsAreRecorded) {
  const Tracer tracer = make_tracer();
  Span span = tracer.start_span("events", Start().at(1000));
  span.add_event("cache.miss", {{"cache.key", "user:1"}}, 1500);
  span.add_event("now");
  span.end(3000);
  const SpanData data = exported("events");
  ASSERT_EQ(data.events.size(), 2U);
  EXPECT_EQ(data.events[0].name, "cache.miss");
  EXPECT_EQ(data.events[0].time_unix_nano, 1500U);
  EXPECT_EQ(data.events[0].attributes, (Attributes{{"cache.key", "user:1"}}));
  EXPECT_EQ(data.events[1].name, "now");
  EXPECT_NE(data.events[1].time_unix_nano, 0U) << "time 0 means now";
}

TEST_F(TracerTest, LinksAreRecorded) {
  const Tracer tracer = make_tracer();
  Span span = tracer.start_span("links", Start().links({Link{remote_context(false), {}}}));
  span.add_link(remote_context(true), {{"link.reason", "batch"}});
  span.end();
  const SpanData data = exported("links");
  ASSERT_EQ(data.links.size(), 2U);
  EXPECT_EQ(data.links[0].context, remote_context(false));
  EXPECT_EQ(data.links[1].context, remote_context(true));
  EXPECT_EQ(data.links[1].attributes, (Attributes{{"link.reason", "batch"}}));
}

TEST_F(TracerTest, ExplicitTimesAreRecorded) {
  const Tracer tracer = make_tracer();
  tracer.start_span("timed", Start().at(1'000'000)).end(2'500'000);
  const SpanData data = exported("timed");
  EXPECT_EQ(data.start_unix_nano, 1'000'000U);
  EXPECT_EQ(data.end_unix_nano, 2'500'000U);
}

TEST_F(TracerTest, DefaultTimesAreNow) {
  const Tracer tracer = make_tracer();
  const std::uint64_t before = now_unix_nano();
  tracer.start_span("now").end();
  const SpanData data = exported("now");
  EXPECT_NE(data.start_unix_nano, 0U);
  EXPECT_GE(data.start_unix_nano, before);
  EXPECT_GE(data.end_unix_nano, data.start_unix_nano);
}

TEST_F(TracerTest, UpdateNameReplacesTheName) {
  const Tracer tracer = make_tracer();
  tracer.start_span("GET").update_name("GET /users/{id}").end();
  EXPECT_EQ(exported("GET /users/{id}").name, "GET /users/{id}");
}

// --- status and errors --------------------------------------------------------------------

TEST_F(TracerTest, StatusFollowsItsRules) {
  struct Row {
    const char* name;
    std::vector<std::pair<StatusCode, std::string>> calls;
    StatusCode code;
    std::string description;
  };
  const Row rows[] = {
      {"unset_by_default", {}, StatusCode::unset, ""},
      {"error_with_description", {{StatusCode::error, "timeout"}}, StatusCode::error, "timeout"},
      {"ok", {{StatusCode::ok, ""}}, StatusCode::ok, ""},
      {"ok_is_final", {{StatusCode::ok, ""}, {StatusCode::error, "late"}}, StatusCode::ok, ""},
      {"ok_overrides_error",
       {{StatusCode::error, "first"}, {StatusCode::ok, ""}},
       StatusCode::ok,
       ""},
      {"last_error_wins",
       {{StatusCode::error, "first"}, {StatusCode::error, "second"}},
       StatusCode::error,
       "second"},
  };
  const Tracer tracer = make_tracer();
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    exporter_->clear();
    Span span = tracer.start_span(row.name);
    for (const auto& [code, description] : row.calls) span.set_status(code, description);
    span.end();
    const SpanData data = exported(row.name);
    EXPECT_EQ(data.status.code, row.code);
    if (row.code == StatusCode::error) {
      EXPECT_EQ(data.status.description, row.description);
    }
  }
}

TEST_F(TracerTest, RecordErrorSetsAnErrorStatusAndAddsAnExceptionEvent) {
  const Tracer tracer = make_tracer();
  tracer.start_span("failing").record_error("std::runtime_error", "disk full").end();
  const SpanData data = exported("failing");
  EXPECT_EQ(data.status.code, StatusCode::error);
  EXPECT_THAT(data.status.description, HasSubstr("disk full"));
  ASSERT_EQ(data.events.size(), 1U);
  EXPECT_EQ(data.events[0].name, "exception");
  const AttributeValue* type = find_attribute(data.events[0].attributes, "exception.type");
  const AttributeValue* message = find_attribute(data.events[0].attributes, "exception.message");
  ASSERT_NE(type, nullptr);
  ASSERT_NE(message, nullptr);
  EXPECT_EQ(*type, AttributeValue("std::runtime_error"));
  EXPECT_EQ(*message, AttributeValue("disk full"));
}

// --- ending -------------------------------------------------------------------------------

TEST_F(TracerTest, EndIsIdempotent) {
  const Tracer tracer = make_tracer();
  Span span = tracer.start_span("once");
  span.end(2000);
  EXPECT_FALSE(span.is_recording());
  span.end(9000);
  span.set_attribute("after_end", 1).add_event("after_end").set_status(StatusCode::error, "x");
  span.end();
  ASSERT_EQ(spans().size(), 1U);
  EXPECT_EQ(spans()[0].end_unix_nano, 2000U);
  EXPECT_EQ(find_attribute(spans()[0].attributes, "after_end"), nullptr);
  EXPECT_EQ(spans()[0].status.code, StatusCode::unset);
}

TEST_F(TracerTest, DestructorEndsTheSpan) {
  const Tracer tracer = make_tracer();
  {
    Span span = tracer.start_span("scoped");
    EXPECT_TRUE(spans().empty());
  }
  EXPECT_EQ(spans().size(), 1U);
  EXPECT_NE(exported("scoped").end_unix_nano, 0U);
}

TEST_F(TracerTest, MovedFromSpanDoesNotEndAgain) {
  const Tracer tracer = make_tracer();
  {
    Span original = tracer.start_span("moved");
    const SpanContext context = original.context();
    Span moved = std::move(original);
    EXPECT_EQ(moved.context(), context);
    EXPECT_TRUE(moved.is_recording());
    EXPECT_FALSE(original.is_recording());  // NOLINT(bugprone-use-after-move): the contract
    original.end();                         // NOLINT(bugprone-use-after-move)
    EXPECT_TRUE(spans().empty());
  }
  EXPECT_EQ(spans().size(), 1U);
}

TEST_F(TracerTest, MoveAssignmentEndsTheOverwrittenSpanOnce) {
  const Tracer tracer = make_tracer();
  {
    Span target = tracer.start_span("overwritten");
    Span source = tracer.start_span("source");
    target = std::move(source);
    EXPECT_EQ(exported("overwritten").name, "overwritten");
    EXPECT_EQ(spans().size(), 1U);
  }
  EXPECT_EQ(spans().size(), 2U);
  EXPECT_EQ(exported("source").name, "source");
}

TEST_F(TracerTest, DefaultSpanIsANoOp) {
  Span span;
  EXPECT_FALSE(span.context().is_valid());
  EXPECT_FALSE(span.is_recording());
  span.set_attribute("k", 1).add_event("e").set_status(StatusCode::error, "x");
  span.end();
}

TEST_F(TracerTest, SpanOutlivesItsTracer) {
  Span span;
  {
    const Tracer tracer = make_tracer();
    span = tracer.start_span("outlives");
  }
  span.set_attribute("late", true);
  span.end();
  EXPECT_EQ(*find_attribute(exported("outlives").attributes, "late"), AttributeValue(true));
}

TEST_F(TracerTest, SpansEndedAfterShutdownAreNotExported) {
  const Tracer tracer = make_tracer();
  Span early = tracer.start_span("early");
  Span late = tracer.start_span("late");
  early.end();
  EXPECT_TRUE(tracer.shutdown(std::chrono::seconds(5)));
  late.end();
  ASSERT_EQ(spans().size(), 1U);
  EXPECT_EQ(spans()[0].name, "early");
}

// --- sampling -----------------------------------------------------------------------------

TEST_F(TracerTest, UnsampledSpanHasAContextButRecordsNothing) {
  const Tracer tracer = make_tracer(Configure().sampler(make_always_off_sampler()));
  Span span = tracer.start_span("unsampled");
  EXPECT_TRUE(span.context().is_valid());
  EXPECT_FALSE(span.context().flags.sampled());
  EXPECT_FALSE(span.is_recording());
  span.set_attribute("k", 1).add_event("e").record_error("type", "message");
  {
    auto scope = activate(span);
    Span child = tracer.start_span("child");
    EXPECT_EQ(child.context().trace_id, span.context().trace_id);
    EXPECT_TRUE(child.context().is_valid());
    EXPECT_NE(child.context().span_id, span.context().span_id);
    EXPECT_FALSE(child.context().flags.sampled());
  }
  span.end();
  EXPECT_TRUE(spans().empty());
}

TEST_F(TracerTest, ParentBasedSamplingFollowsAnUnsampledRemoteParent) {
  const Tracer tracer = make_tracer(Configure().sampler_name("parentbased_always_on"));
  Span server = tracer.start_span("server", Start().parent(Context(remote_context(false))));
  EXPECT_FALSE(server.is_recording());
  EXPECT_FALSE(server.context().flags.sampled());
  EXPECT_EQ(server.context().trace_id, remote_context(false).trace_id);
  {
    auto scope = activate(server);
    Span child = tracer.start_span("child");
    EXPECT_FALSE(child.is_recording());
    EXPECT_EQ(child.context().trace_id, remote_context(false).trace_id);
  }
  server.end();
  EXPECT_TRUE(spans().empty());
}

TEST_F(TracerTest, SamplerDecidesOnTheSpansTraceId) {
  const auto reference = make_trace_id_ratio_sampler(0.5);
  const Tracer tracer = make_tracer(Configure().sampler(make_trace_id_ratio_sampler(0.5)));
  const Attributes no_attributes;
  int recorded = 0;
  for (int i = 0; i < 200; ++i) {
    Span span = tracer.start_span("ratio");
    const SpanContext no_parent;
    const bool expected = reference->should_sample(SamplingInput{
                              no_parent, span.context().trace_id, "ratio", SpanKind::internal,
                              no_attributes}) == SamplingDecision::record_and_sample;
    EXPECT_EQ(span.is_recording(), expected);
    EXPECT_EQ(span.context().flags.sampled(), expected);
    if (expected) ++recorded;
  }
  EXPECT_EQ(spans().size(), static_cast<std::size_t>(recorded));
}

// --- disabled SDK -------------------------------------------------------------------------

TEST_F(TracerTest, DisabledSdkKeepsTheUpstreamSamplingDecision) {
  // A disabled service in the middle of a call chain must not switch tracing
  // off for every service downstream of it.
  const Tracer tracer = make_tracer(Configure().disabled());
  Span server = tracer.start_span("server", Start().parent(Context(remote_context(true))));
  EXPECT_FALSE(server.is_recording());
  EXPECT_TRUE(server.context().flags.sampled());
  Span unsampled = tracer.start_span("server", Start().parent(Context(remote_context(false))));
  EXPECT_FALSE(unsampled.context().flags.sampled());
}

TEST_F(TracerTest, DisabledSdkIsTransparentToTheTrace) {
  // Spans of a disabled service are never exported, so its children must
  // attach to the caller's span, and a root must send nothing downstream.
  const Tracer tracer = make_tracer(Configure().disabled());
  const SpanContext caller = remote_context(true);
  Span server = tracer.start_span("server", Start().parent(Context(caller)));
  EXPECT_EQ(server.context().trace_id, caller.trace_id);
  EXPECT_EQ(server.context().span_id, caller.span_id);
  Span root = tracer.start_span("root");
  EXPECT_FALSE(root.context().is_valid());
  EXPECT_FALSE(root.is_recording());
}

TEST_F(TracerTest, DisabledSdkRecordsNothingButPropagates) {
  struct Row {
    const char* name;
    TracerOptions options;
    MapEnvironment environment;
  };
  const Row rows[] = {
      {"option", Configure().disabled(), MapEnvironment()},
      {"environment", {}, MapEnvironment(Variables{{"OTEL_SDK_DISABLED", "true"}})},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    exporter_->clear();
    const Tracer tracer = make_tracer(row.options, row.environment);
    EXPECT_TRUE(tracer.config().disabled);
    Span server = tracer.start_span("server", Start().parent(Context(remote_context(true))));
    EXPECT_FALSE(server.is_recording());
    EXPECT_EQ(server.context().trace_id, remote_context(true).trace_id);
    {
      auto scope = activate(server);
      Span child = tracer.start_span("child");
      EXPECT_FALSE(child.is_recording());
      EXPECT_EQ(child.context().trace_id, remote_context(true).trace_id);
      EXPECT_EQ(current_context().span_context().trace_id, remote_context(true).trace_id);
    }
    server.set_attribute("k", 1);
    server.end();
    tracer.start_span("root").end();
    EXPECT_TRUE(spans().empty());
  }
}

// --- resource and scope -------------------------------------------------------------------

TEST_F(TracerTest, ResourceAndScopeAreAttachedToSpanData) {
  const Tracer tracer = make_tracer(
      Configure().service_name("checkout").resource_attributes({{"service.version", "2.0"}}),
      MapEnvironment(Variables{{"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=test"}}));
  tracer.start_span("op").end();
  const SpanData data = exported("op");
  ASSERT_NE(data.resource, nullptr);
  EXPECT_EQ(data.resource->service_name(), "checkout");
  EXPECT_EQ(data.resource.get(), &tracer.resource());
  ASSERT_NE(find_attribute(data.resource->attributes(), "service.version"), nullptr);
  EXPECT_EQ(*find_attribute(data.resource->attributes(), "service.version"), AttributeValue("2.0"));
  ASSERT_NE(find_attribute(data.resource->attributes(), "deployment.environment"), nullptr);
  EXPECT_EQ(*find_attribute(data.resource->attributes(), "deployment.environment"),
            AttributeValue("test"));
  ASSERT_NE(data.scope, nullptr);
  EXPECT_EQ(data.scope->name, "tracer_test");
  EXPECT_EQ(data.scope->version, "1.2.3");
}

TEST_F(TracerTest, WithoutAnExporterSpansRecordNothingButStillPropagate) {
  TracerOptions options;
  options.sampler_name = "always_on";
  MapEnvironment environment;
  auto config = finalize(options, environment);
  ASSERT_TRUE(config);
  ASSERT_EQ(config->processor, nullptr);
  const Tracer tracer(std::move(*config));
  Span span = tracer.start_span("op");
  EXPECT_FALSE(span.is_recording());
  EXPECT_TRUE(span.context().is_valid());
  EXPECT_TRUE(span.context().flags.sampled()) << "downstream services still record";
}

TEST(TracerConstruction, AnIncompleteConfigurationGetsDefaultsNotACrash) {
  const Tracer tracer{TracerConfig{}};
  Span span = tracer.start_span("op");
  EXPECT_TRUE(span.context().is_valid());
  EXPECT_EQ(tracer.propagator().propagators().size(), 2U) << "tracecontext,baggage";
  EXPECT_TRUE(tracer.resource().attributes().empty());
}

}  // namespace
}  // namespace tracemesh
