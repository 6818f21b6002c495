#include "audit/index/trace_headers.h"

#include <algorithm>

#include "model/ascii.h"

namespace tracemesh::audit {
TraceHeaders::TraceHeaders(const std::vector<std::string>& extra)
    : names_{"traceparent",
             "tracestate",
             "baggage",
             "b3",
             "x-b3-traceid",
             "x-b3-spanid",
             "x-b3-parentspanid",
             "x-b3-sampled",
             "x-b3-flags",
             "x-trace-id",
             "x-traceid",
             "x-request-id",
             "x-correlation-id",
             "x-langfuse-trace-id",
             "x-amzn-trace-id",
             "uber-trace-id",
             "x-cloud-trace-context",
             "x-datadog-trace-id",
             "sentry-trace"} {
  for (const std::string& name : extra) {
    const std::string lower = model::ascii_lowercase(name);
    if (!lower.empty() && !contains(lower)) names_.push_back(lower);
  }
}

bool TraceHeaders::contains(std::string_view name) const {
  const std::string lower = model::ascii_lowercase(name);
  if (lower.rfind("x-b3-", 0) == 0) return true;
  return std::find(names_.begin(), names_.end(), lower) != names_.end();
}

std::string TraceHeaders::in_source(std::string_view source) const {
  for (std::size_t at = 0; at < source.size(); ++at) {
    const char quote = source[at];
    if (quote != '"' && quote != '\'') continue;
    const std::size_t end = source.find(quote, at + 1);
    if (end == std::string_view::npos) break;
    const std::string_view literal = source.substr(at + 1, end - at - 1);
    if (contains(literal)) return std::string(literal);
    at = end;
  }
  return {};
}

}  // namespace tracemesh::audit
