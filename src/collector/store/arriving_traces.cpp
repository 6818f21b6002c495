#include "collector/store/arriving_traces.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <tuple>

namespace tracemesh::collector {
namespace {

// One packed span: the fixed part, then each string as a 32-bit length and
// its bytes, in the order of string_fields.
struct Fixed {
  std::uint64_t span_id;
  std::uint64_t parent_span_id;
  std::uint64_t start_unix_nano;
  std::uint64_t end_unix_nano;
  std::int64_t port;
  std::uint8_t kind;
  std::uint8_t status_code;
  std::uint32_t flags;  // an unanswered call's sampled bit says whether a callee span was due
};

constexpr std::size_t string_field_count = 8;

template <typename Record>
auto string_fields(Record& span) {
  return std::array<decltype(&span.service), string_field_count>{
      &span.service,
      &span.name,
      &span.destination.address,
      &span.destination.path,
      &span.destination.messaging_system,
      &span.destination.messaging_destination,
      &span.propagation.format,
      &span.propagation.error};
}

template <typename Id>
std::uint64_t as_word(const Id& id) {
  std::uint64_t word = 0;
  std::memcpy(&word, id.bytes.data(), sizeof word);
  return word;
}

template <typename Id>
Id from_word(std::uint64_t word) {
  Id id;
  std::memcpy(id.bytes.data(), &word, sizeof word);
  return id;
}

void pack(std::string& out, const model::SpanRecord& span) {
  Fixed fixed{};  // zeroes the padding too: the bytes copied are all defined
  fixed.span_id = as_word(span.span_id);
  fixed.parent_span_id = as_word(span.parent_span_id);
  fixed.start_unix_nano = span.start_unix_nano;
  fixed.end_unix_nano = span.end_unix_nano;
  fixed.port = span.destination.port;
  fixed.kind = static_cast<std::uint8_t>(span.kind);
  fixed.status_code = static_cast<std::uint8_t>(span.status_code);
  fixed.flags = span.flags;
  out.append(reinterpret_cast<const char*>(&fixed), sizeof fixed);  // NOLINT
  for (const std::string* field : string_fields(span)) {
    const auto size = static_cast<std::uint32_t>(field->size());
    out.append(reinterpret_cast<const char*>(&size), sizeof size);  // NOLINT
    out.append(*field);
  }
}

// Return the offset after the span packed at `at`.
std::size_t skip(const std::string& in, std::size_t at) {
  at += sizeof(Fixed);
  for (std::size_t field = 0; field < string_field_count; ++field) {
    std::uint32_t size = 0;
    std::memcpy(&size, in.data() + at, sizeof size);
    at += sizeof size + size;
  }
  return at;
}

// Unpack the span at `at` into `span`.
void unpack(const std::string& in, std::size_t at, model::SpanRecord& span) {
  Fixed fixed{};
  std::memcpy(&fixed, in.data() + at, sizeof fixed);
  at += sizeof fixed;
  span.span_id = from_word<SpanId>(fixed.span_id);
  span.parent_span_id = from_word<SpanId>(fixed.parent_span_id);
  span.start_unix_nano = fixed.start_unix_nano;
  span.end_unix_nano = fixed.end_unix_nano;
  span.destination.port = fixed.port;
  span.kind = static_cast<model::SpanKind>(fixed.kind);
  span.status_code = static_cast<model::StatusCode>(fixed.status_code);
  span.flags = fixed.flags;
  for (std::string* field : string_fields(span)) {
    std::uint32_t size = 0;
    std::memcpy(&size, in.data() + at, sizeof size);
    at += sizeof size;
    field->assign(in, at, size);
    at += size;
  }
}

}  // namespace

void ArrivingTraces::add(const TraceId& trace_id, std::span<const model::SpanRecord* const> spans,
                         bool first, std::uint64_t received) noexcept {
  try {
    append(trace_id, spans, first, received);
  } catch (const std::bad_alloc&) {
    erase(trace_id);  // append left the trace as it was: drop it whole
  }
}

void ArrivingTraces::append(const TraceId& trace_id,
                            std::span<const model::SpanRecord* const> spans, bool first,
                            std::uint64_t received) {
  auto held = traces_.find(trace_id);
  if (held == traces_.end()) {
    if (!first || bytes_ + per_trace_overhead > max_bytes_) return;
    held = traces_.emplace(trace_id, Held{}).first;
    bytes_ += per_trace_overhead + held->second.packed.capacity();
  }
  Held& trace = held->second;
  const std::size_t before = trace.packed.capacity();
  // Packed aside first: a failure leaves the held spans and the count intact.
  std::string packed;
  for (const model::SpanRecord* span : spans) pack(packed, *span);
  trace.packed.append(packed);
  trace.last_received = std::max(trace.last_received, received);
  bytes_ = bytes_ - before + trace.packed.capacity();
  if (bytes_ > max_bytes_) erase(trace_id);
}

bool ArrivingTraces::load(const TraceId& trace_id, std::vector<model::SpanRecord>& spans,
                          std::uint64_t& last_received) const {
  const auto held = traces_.find(trace_id);
  if (held == traces_.end()) return false;
  // Unpack in the order load_trace reads a trace (span_store.cpp): by start,
  // roots first, then by span id, so verdicts list spans alike whichever way
  // the trace was read. The packed spans are ordered first, not the records.
  struct Entry {
    std::int64_t start;  // signed, as SQLite compares it
    bool child;
    std::uint64_t span_id;  // big-endian bytes compare as the number
    std::size_t offset;
  };
  const std::string& packed = held->second.packed;
  std::vector<Entry> order;
  for (std::size_t at = 0; at < packed.size();) {
    Fixed fixed{};
    std::memcpy(&fixed, packed.data() + at, sizeof fixed);
    order.push_back({static_cast<std::int64_t>(fixed.start_unix_nano), fixed.parent_span_id != 0,
                     from_word<SpanId>(fixed.span_id).to_uint64(), at});
    at = skip(packed, at);
  }
  std::sort(order.begin(), order.end(), [](const Entry& a, const Entry& b) {
    return std::tie(a.start, a.child, a.span_id) < std::tie(b.start, b.child, b.span_id);
  });
  spans.clear();
  spans.reserve(order.size());
  for (const Entry& entry : order) {
    model::SpanRecord& span = spans.emplace_back();
    span.trace_id = trace_id;
    unpack(packed, entry.offset, span);
  }
  last_received = held->second.last_received;
  return true;
}

void ArrivingTraces::erase(const TraceId& trace_id) noexcept {
  const auto held = traces_.find(trace_id);
  if (held == traces_.end()) return;
  bytes_ -= held->second.packed.capacity() + per_trace_overhead;
  traces_.erase(held);
}

}  // namespace tracemesh::collector
