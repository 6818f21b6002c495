// Grouping of a span batch by resource and instrumentation scope (internal),
// the nesting OTLP's ResourceSpans / ScopeSpans messages need.
#pragma once

#include <memory>
#include <vector>

#include "tracemesh/span_data.h"
#include "tracemesh/span_encoding.h"

namespace tracemesh::detail {

struct ScopeGroup {
  const InstrumentationScope* scope = nullptr;  // null when spans have none
  std::vector<const SpanData*> spans;
};

struct ResourceGroup {
  const Resource* resource = nullptr;  // null when spans have none
  std::vector<ScopeGroup> scopes;
};

// Return the spans grouped by resource, then scope, both by identity and in
// first-seen order (a Tracer shares one resource and scope among its spans).
inline std::vector<ResourceGroup> group_spans(SpanBatch spans) {
  std::vector<ResourceGroup> groups;
  for (const auto& span : spans) {
    if (!span) continue;
    const Resource* resource = span->resource.get();
    const InstrumentationScope* scope = span->scope.get();
    ResourceGroup* group = nullptr;
    for (auto& candidate : groups) {
      if (candidate.resource == resource) group = &candidate;
    }
    if (group == nullptr) group = &groups.emplace_back(ResourceGroup{resource, {}});
    ScopeGroup* scope_group = nullptr;
    for (auto& candidate : group->scopes) {
      if (candidate.scope == scope) scope_group = &candidate;
    }
    if (scope_group == nullptr) scope_group = &group->scopes.emplace_back(ScopeGroup{scope, {}});
    scope_group->spans.push_back(span.get());
  }
  return groups;
}

// OTLP's Span.flags: the W3C trace flags in bits 0-7, then HAS_IS_REMOTE
// (0x100) and IS_REMOTE (0x200) describing the parent.
inline std::uint32_t otlp_span_flags(const SpanData& span) {
  std::uint32_t flags = span.context.flags.bits() | 0x100U;
  if (span.parent_is_remote) flags |= 0x200U;
  return flags;
}

// OTLP's SpanKind: ours plus one (0 is SPAN_KIND_UNSPECIFIED).
inline std::uint32_t otlp_span_kind(SpanKind kind) {
  return static_cast<std::uint32_t>(kind) + 1U;
}

}  // namespace tracemesh::detail
