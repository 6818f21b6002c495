#include "tracemesh/span.h"

#include "sdk/utf8.h"
#include "tracemesh/tracer.h"

namespace tracemesh {
namespace {

// Truncate to `limit` characters (not bytes), never splitting a UTF-8 sequence.
void truncate_string(std::string& text, std::size_t limit) {
  if (text.size() > limit) text.resize(detail::utf8_prefix_size(text, limit));
}

void truncate_strings(AttributeValue& value, std::size_t limit) {
  if (limit == 0) return;
  auto& variant = value.variant();
  if (auto* text = std::get_if<std::string>(&variant)) {
    truncate_string(*text, limit);
  } else if (auto* texts = std::get_if<std::vector<std::string>>(&variant)) {
    for (auto& item : *texts) truncate_string(item, limit);
  }
}

}  // namespace

Span& Span::operator=(Span&& other) noexcept {
  if (this != &other) {
    end();
    context_ = std::move(other.context_);
    data_ = std::move(other.data_);
    tracer_ = std::move(other.tracer_);
    attribute_count_ = other.attribute_count_;
  }
  return *this;
}

Span& Span::set_attribute(std::string_view key, AttributeValue value) {
  if (!data_) return *this;
  const SpanLimits& limits = tracer_->config.limits;
  truncate_strings(value, limits.max_attribute_value_length);
  auto& attributes = data_->attributes;
  for (std::size_t i = 0; i < attribute_count_; ++i) {
    if (attributes[i].key == key) {
      attributes[i].value = std::move(value);
      return *this;
    }
  }
  if (attribute_count_ >= limits.max_attributes) {
    ++data_->dropped_attributes;
    return *this;
  }
  if (attribute_count_ < attributes.size()) {
    attributes[attribute_count_].key.assign(key);  // reuses the old key's capacity
    attributes[attribute_count_].value = std::move(value);
  } else {
    attributes.push_back(Attribute{std::string(key), std::move(value)});
  }
  ++attribute_count_;
  return *this;
}

Span& Span::add_event(std::string_view name, Attributes attributes, std::uint64_t time_unix_nano) {
  if (!data_) return *this;
  if (data_->events.size() >= tracer_->config.limits.max_events) {
    ++data_->dropped_events;
    return *this;
  }
  for (auto& attribute : attributes) {
    truncate_strings(attribute.value, tracer_->config.limits.max_attribute_value_length);
  }
  data_->events.push_back(Event{std::string(name),
                                time_unix_nano != 0 ? time_unix_nano : now_unix_nano(),
                                std::move(attributes)});
  return *this;
}

Span& Span::add_link(const SpanContext& context, Attributes attributes) {
  if (!data_) return *this;
  if (data_->links.size() >= tracer_->config.limits.max_links) {
    ++data_->dropped_links;
    return *this;
  }
  data_->links.push_back(Link{context, std::move(attributes)});
  return *this;
}

Span& Span::set_status(StatusCode code, std::string_view description) {
  if (!data_ || data_->status.code == StatusCode::ok || code == StatusCode::unset) return *this;
  data_->status.code = code;
  data_->status.description = code == StatusCode::error ? std::string(description) : std::string();
  return *this;
}

Span& Span::update_name(std::string_view name) {
  if (data_) data_->name.assign(name);
  return *this;
}

Span& Span::record_error(std::string_view type, std::string_view message) {
  if (!data_) return *this;
  add_event("exception", {{"exception.type", type}, {"exception.message", message}});
  return set_status(StatusCode::error, message);
}

void Span::end(std::uint64_t end_unix_nano) noexcept {
  if (!data_) return;
  // Drop entries left over from the record's previous use; shrinking never allocates.
  data_->attributes.erase(data_->attributes.begin() + static_cast<std::ptrdiff_t>(attribute_count_),
                          data_->attributes.end());
  data_->end_unix_nano = end_unix_nano != 0 ? end_unix_nano : now_unix_nano();
  const auto& processor = tracer_->config.processor;
  if (processor && data_->context.flags.sampled()) {
    processor->on_end(std::move(data_));
  }
  data_.reset();
  tracer_.reset();
}

}  // namespace tracemesh

namespace tracemesh {

std::string_view to_string(SpanKind kind) noexcept {
  switch (kind) {
    case SpanKind::internal:
      return "internal";
    case SpanKind::server:
      return "server";
    case SpanKind::client:
      return "client";
    case SpanKind::producer:
      return "producer";
    case SpanKind::consumer:
      return "consumer";
  }
  return "internal";
}

std::string_view to_string(StatusCode code) noexcept {
  switch (code) {
    case StatusCode::unset:
      return "unset";
    case StatusCode::ok:
      return "ok";
    case StatusCode::error:
      return "error";
  }
  return "unset";
}

}  // namespace tracemesh
