// A span: one timed operation in a trace, started by a Tracer.
//
// Span is a move-only handle that ends the span when it is destroyed (or
// when end() is called first). A span that is not sampled still has ids and
// a context that propagates; it just records nothing. Spans are not
// thread-safe: one thread at a time may modify a given span.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "tracemesh/attribute.h"
#include "tracemesh/current_context.h"
#include "tracemesh/span_context.h"
#include "tracemesh/span_data.h"

namespace tracemesh {

namespace detail {
struct TracerState;
}

class Span {
 public:
  // A no-op span: invalid context, records nothing.
  Span() = default;
  ~Span() { end(); }
  Span(Span&& other) noexcept
      : context_(std::move(other.context_)),
        data_(std::move(other.data_)),
        tracer_(std::move(other.tracer_)),
        attribute_count_(other.attribute_count_) {}
  Span& operator=(Span&& other) noexcept;
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

  // Return this span's identity (what children and propagators use).
  const SpanContext& context() const noexcept { return context_; }
  // Return whether this span records (it was sampled and has not ended).
  bool is_recording() const noexcept { return data_ != nullptr; }

  // Set an attribute, replacing one of the same key. Beyond the span's
  // attribute limit new keys are dropped and counted.
  Span& set_attribute(std::string_view key, AttributeValue value);
  // Add a timestamped event (time 0 means now).
  Span& add_event(std::string_view name, Attributes attributes = {},
                  std::uint64_t time_unix_nano = 0);
  // Link this span to another span context.
  Span& add_link(const SpanContext& context, Attributes attributes = {});
  // Set the status. An ok status is final: later calls cannot change it.
  Span& set_status(StatusCode code, std::string_view description = {});
  // Replace the span's name.
  Span& update_name(std::string_view name);
  // Record the exception-like failure `message` as an error status with an event.
  Span& record_error(std::string_view type, std::string_view message);

  // End the span (time 0 means now) and hand it to the processor. Later calls do nothing.
  void end(std::uint64_t end_unix_nano = 0) noexcept;

 private:
  friend class Tracer;
  Span(SpanContext context, std::unique_ptr<SpanData> data,
       std::shared_ptr<const detail::TracerState> tracer)
      : context_(std::move(context)), data_(std::move(data)), tracer_(std::move(tracer)) {}

  SpanContext context_;
  std::unique_ptr<SpanData> data_;  // null when not recording or ended
  std::shared_ptr<const detail::TracerState> tracer_;
  // Attributes in use: data_->attributes[0, attribute_count_). A recycled
  // record keeps its old entries beyond that so their key strings are
  // overwritten in place instead of allocated again; end() trims them.
  std::size_t attribute_count_ = 0;
};

// Return a Scope that makes `span` the active span of the current context.
inline Scope activate(const Span& span) {
  return Scope(current_context().with_span_context(span.context()));
}

}  // namespace tracemesh
