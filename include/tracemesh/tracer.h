// The Tracer starts spans and owns the export pipeline.
//
// Build one per process from a finalized configuration, keep it for the
// process's life, and call shutdown() before exit so buffered spans are
// exported. Tracer is cheap to copy (copies share one pipeline) and all its
// methods are thread-safe. Spans keep the pipeline alive, so a span may
// outlive the Tracer object that started it.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "tracemesh/context.h"
#include "tracemesh/span.h"
#include "tracemesh/tracer_config.h"

namespace tracemesh {

struct SpanOptions {
  SpanKind kind = SpanKind::internal;
  // The parent context; when unset, the current context (current_context.h).
  std::optional<Context> parent;
  // Start a new trace whatever the parent would be.
  bool root = false;
  Attributes attributes;
  std::vector<Link> links;
  std::uint64_t start_unix_nano = 0;  // 0 means now
};

namespace detail {
struct TracerState {
  TracerConfig config;
  std::shared_ptr<const InstrumentationScope> scope;
};
}  // namespace detail

class Tracer {
 public:
  // Return a tracer configured from `options` and the process environment.
  static Expected<Tracer> create(const TracerOptions& options = {});

  // Build a tracer from a configuration (normally finalize()'s). Missing parts
  // (null resource, sampler or propagator) get finalize()'s defaults.
  explicit Tracer(TracerConfig config, std::string_view scope_name = "tracemesh",
                  std::string_view scope_version = {});

  // Start a span. Its parent is options.parent, else the current context.
  Span start_span(std::string_view name, const SpanOptions& options = {}) const;

  // Return the propagator configured by OTEL_PROPAGATORS / options.
  const CompositePropagator& propagator() const noexcept { return *state_->config.propagator; }
  const Resource& resource() const noexcept { return *state_->config.resource; }
  const TracerConfig& config() const noexcept { return state_->config; }

  // Export buffered spans; false when `timeout` ran out first.
  bool force_flush(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const noexcept;
  // Flush and stop exporting; false when `timeout` ran out first. Spans ended later are dropped.
  bool shutdown(std::chrono::milliseconds timeout = std::chrono::seconds(5)) const noexcept;

 private:
  std::shared_ptr<const detail::TracerState> state_;
};

// Return the current time as nanoseconds since the Unix epoch.
std::uint64_t now_unix_nano() noexcept;

}  // namespace tracemesh
