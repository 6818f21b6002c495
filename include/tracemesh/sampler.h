// Samplers decide, when a span starts, whether it is recorded and exported.
//
// The decision never affects propagation: an unsampled span still has ids and
// its context is still sent downstream with the sampled flag cleared.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tracemesh/attribute.h"
#include "tracemesh/span_context.h"
#include "tracemesh/span_data.h"

namespace tracemesh {

enum class SamplingDecision : std::uint8_t { drop, record_only, record_and_sample };

// What a sampler sees of the span being started.
struct SamplingInput {
  const SpanContext& parent;  // invalid for a root span
  const TraceId& trace_id;
  std::string_view name;
  SpanKind kind;
  const Attributes& attributes;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // Return the decision for a span. Must be thread-safe and must not block.
  virtual SamplingDecision should_sample(const SamplingInput& input) const noexcept = 0;
  // Return a description such as "TraceIdRatioBased{0.25}".
  virtual std::string description() const = 0;
};

std::shared_ptr<const Sampler> make_always_on_sampler();
std::shared_ptr<const Sampler> make_always_off_sampler();
// Sample a share `ratio` (clamped to [0, 1]) of traces, decided from the
// trace id's lowest 56 bits so every service decides the same for one trace.
std::shared_ptr<const Sampler> make_trace_id_ratio_sampler(double ratio);
// Follow the parent's sampled flag; use `root` for spans without a parent.
std::shared_ptr<const Sampler> make_parent_based_sampler(std::shared_ptr<const Sampler> root);

}  // namespace tracemesh
