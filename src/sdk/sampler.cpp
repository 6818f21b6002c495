#include "tracemesh/sampler.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tracemesh {
namespace {

class AlwaysOnSampler final : public Sampler {
 public:
  SamplingDecision should_sample(const SamplingInput&) const noexcept override {
    return SamplingDecision::record_and_sample;
  }
  std::string description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOffSampler final : public Sampler {
 public:
  SamplingDecision should_sample(const SamplingInput&) const noexcept override {
    return SamplingDecision::drop;
  }
  std::string description() const override { return "AlwaysOffSampler"; }
};

// OpenTelemetry's consistent probability sampling: the trace id's lowest 56
// bits are the randomness R; a span is sampled when R >= T = (1 - ratio) * 2^56.
class TraceIdRatioSampler final : public Sampler {
 public:
  explicit TraceIdRatioSampler(double ratio) : ratio_(std::clamp(ratio, 0.0, 1.0)) {
    constexpr double two_to_56 = 72057594037927936.0;
    threshold_ = static_cast<std::uint64_t>(std::llround((1.0 - ratio_) * two_to_56));
  }
  SamplingDecision should_sample(const SamplingInput& input) const noexcept override {
    const std::uint64_t randomness = input.trace_id.low() & 0x00ff'ffff'ffff'ffffULL;
    return randomness >= threshold_ ? SamplingDecision::record_and_sample : SamplingDecision::drop;
  }
  std::string description() const override {
    char text[64];
    std::snprintf(text, sizeof(text), "TraceIdRatioBased{%g}", ratio_);
    return text;
  }

 private:
  double ratio_;
  std::uint64_t threshold_ = 0;
};

class ParentBasedSampler final : public Sampler {
 public:
  explicit ParentBasedSampler(std::shared_ptr<const Sampler> root) : root_(std::move(root)) {}
  SamplingDecision should_sample(const SamplingInput& input) const noexcept override {
    if (!input.parent.has_trace()) return root_->should_sample(input);
    return input.parent.flags.sampled() ? SamplingDecision::record_and_sample
                                        : SamplingDecision::drop;
  }
  std::string description() const override {
    return "ParentBased{root:" + root_->description() + "}";
  }

 private:
  std::shared_ptr<const Sampler> root_;
};

}  // namespace

std::shared_ptr<const Sampler> make_always_on_sampler() {
  static const auto sampler = std::make_shared<const AlwaysOnSampler>();
  return sampler;
}

std::shared_ptr<const Sampler> make_always_off_sampler() {
  static const auto sampler = std::make_shared<const AlwaysOffSampler>();
  return sampler;
}

std::shared_ptr<const Sampler> make_trace_id_ratio_sampler(double ratio) {
  return std::make_shared<const TraceIdRatioSampler>(std::isnan(ratio) ? 0.0 : ratio);
}

std::shared_ptr<const Sampler> make_parent_based_sampler(std::shared_ptr<const Sampler> root) {
  return std::make_shared<const ParentBasedSampler>(root ? std::move(root)
                                                         : make_always_on_sampler());
}

}  // namespace tracemesh
