#include "tracemesh/tracer.h"

#include <algorithm>
#include <chrono>

namespace tracemesh {

std::uint64_t now_unix_nano() noexcept {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

namespace {

// Empty a recycled record, keeping the capacity of its strings and vectors.
// Its attributes stay: the new Span overwrites them in place (see Span).
void clear_for_reuse(SpanData& data) {
  data.name.clear();
  data.events.clear();
  data.links.clear();
  data.status.code = StatusCode::unset;
  data.status.description.clear();
  data.dropped_attributes = 0;
  data.dropped_events = 0;
  data.dropped_links = 0;
  data.end_unix_nano = 0;
}

}  // namespace

Expected<Tracer> Tracer::create(const TracerOptions& options) {
  auto config = finalize(options);
  if (!config) return config.error();
  return Tracer(std::move(*config));
}

namespace {

// A configuration built by hand may leave parts out; fill them with the
// defaults finalize() would choose rather than dereference null later.
TracerConfig completed(TracerConfig config) {
  if (!config.resource) config.resource = std::make_shared<const Resource>();
  if (!config.sampler) config.sampler = make_parent_based_sampler(make_always_on_sampler());
  if (!config.propagator) {
    auto standard = make_propagator("tracecontext,baggage");
    config.propagator = standard ? std::move(*standard) : nullptr;
  }
  return config;
}

}  // namespace

Tracer::Tracer(TracerConfig config, std::string_view scope_name, std::string_view scope_version)
    : state_(std::make_shared<const detail::TracerState>(
          detail::TracerState{completed(std::move(config)),
                              std::make_shared<const InstrumentationScope>(InstrumentationScope{
                                  std::string(scope_name), std::string(scope_version)})})) {}

Span Tracer::start_span(std::string_view name, const SpanOptions& options) const {
  static const SpanContext no_parent;
  Context current;  // holds the current context when it supplies the parent
  const SpanContext* parent_pointer = &no_parent;
  if (!options.root) {
    if (options.parent) {
      parent_pointer = &options.parent->span_context();
    } else {
      current = current_context();
      parent_pointer = &current.span_context();
    }
  }
  const SpanContext& parent = *parent_pointer;
  const TracerConfig& config = state_->config;
  // Disabled: a transparent span. It carries the parent's identity unchanged,
  // so downstream spans attach to the caller's span (which was exported) and
  // keep its sampling decision; without a parent there is nothing to send.
  if (config.disabled) return {parent, nullptr, state_};
  const bool continues_trace = parent.has_trace();

  SpanContext context;
  context.trace_id = continues_trace ? parent.trace_id : TraceId::random();
  context.span_id = SpanId::random();
  if (continues_trace) {
    context.trace_state = parent.trace_state;
    context.legacy_trace_id = parent.legacy_trace_id;
  }

  const auto decision = config.disabled
                            ? SamplingDecision::drop
                            : config.sampler->should_sample({parent, context.trace_id, name,
                                                             options.kind, options.attributes});
  // Level 2 "random" flag: set for ids we generate, inherited otherwise.
  auto flags = static_cast<std::uint8_t>(
      continues_trace ? (parent.flags.bits() & TraceFlags::random_bit) : TraceFlags::random_bit);
  if (decision == SamplingDecision::record_and_sample) {
    flags = static_cast<std::uint8_t>(flags | TraceFlags::sampled_bit);
  }
  context.flags = TraceFlags(flags);

  // Nothing would receive the record (no exporter configured): keep the ids,
  // which still propagate with the sampling decision, and record nothing.
  if (decision == SamplingDecision::drop || !config.processor) {
    return {std::move(context), nullptr, state_};
  }

  auto data = config.processor ? config.processor->take_recycled() : nullptr;
  if (data) {
    clear_for_reuse(*data);
  } else {
    data = std::make_unique<SpanData>();
  }
  data->context = context;
  data->parent_span_id = continues_trace ? parent.span_id : SpanId{};
  data->parent_is_remote = continues_trace && parent.is_remote;
  data->name.assign(name);
  data->kind = options.kind;
  data->start_unix_nano = options.start_unix_nano != 0 ? options.start_unix_nano : now_unix_nano();
  // A recycled record usually holds these already; skipping the assignment
  // saves two atomic reference-count round trips per span.
  if (data->resource != config.resource) data->resource = config.resource;
  if (data->scope != state_->scope) data->scope = state_->scope;
  Span span(std::move(context), std::move(data), state_);
  // Most spans get a handful of attributes; reserving once avoids regrowth.
  constexpr std::size_t typical_attributes = 8;
  span.data_->attributes.reserve(std::max(options.attributes.size(), typical_attributes));
  for (const auto& attribute : options.attributes)
    span.set_attribute(attribute.key, attribute.value);
  for (const auto& link : options.links) span.add_link(link.context, link.attributes);
  return span;
}

bool Tracer::force_flush(std::chrono::milliseconds timeout) const noexcept {
  const auto& processor = state_->config.processor;
  return processor ? processor->force_flush(timeout) : true;
}

bool Tracer::shutdown(std::chrono::milliseconds timeout) const noexcept {
  const auto& processor = state_->config.processor;
  return processor ? processor->shutdown(timeout) : true;
}

}  // namespace tracemesh
