// Fresh traces for background work: a worker loop, a scheduled job, a queue
// poller. Code that runs outside any request has no current context, so
// without this its outbound calls either carry nothing or (worse) share one
// trace for the life of the process. run_in_new_trace() gives each
// iteration its own root span, current while the iteration runs.
#pragma once

#include <exception>
#include <string_view>
#include <type_traits>
#include <typeinfo>

#include "tracemesh/current_context.h"
#include "tracemesh/tracer.h"

namespace tracemesh {

// Run `body` inside a new root span named `name` (made current for the
// call) and return what it returns. `body` takes no argument or a Span&.
// An exception marks the span as an error, ends it and propagates.
template <typename Body>
decltype(auto) run_in_new_trace(const Tracer& tracer, std::string_view name, Body&& body,
                                SpanKind kind = SpanKind::internal) {
  SpanOptions options;
  options.kind = kind;
  options.root = true;
  Span span = tracer.start_span(name, options);
  Scope scope = activate(span);
  try {
    if constexpr (std::is_invocable_v<Body, Span&>) {
      return std::forward<Body>(body)(span);
    } else {
      return std::forward<Body>(body)();
    }
  } catch (const std::exception& error) {
    span.record_error(typeid(error).name(), error.what());
    throw;
  } catch (...) {
    span.record_error("unknown", "non-standard exception");
    throw;
  }
}

}  // namespace tracemesh
