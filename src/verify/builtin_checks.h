// The checks every verified trace gets unless told otherwise: one root, no
// orphans, no broken hops, no clock skew beyond a tolerance. They read the
// integrity verdict the collector (or verify, for files) judged.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "model/trace.h"
#include "verify/outcome.h"

namespace tracemesh::verify {

enum class Builtin : std::uint8_t { single_root, no_orphans, no_broken_hops, no_clock_skew };

inline constexpr Builtin all_builtins[] = {Builtin::single_root, Builtin::no_orphans,
                                           Builtin::no_broken_hops, Builtin::no_clock_skew};

// "single_root", "no_orphans", "no_broken_hops", "no_clock_skew".
const char* to_string(Builtin check) noexcept;
// The check named `name` (as to_string writes it), or nullopt.
std::optional<Builtin> builtin_named(std::string_view name) noexcept;
// A sentence for reports: "single root", "no orphans"...
const char* describe(Builtin check) noexcept;

// Skew of up to `skew_tolerance_nanos` (a child starting before its parent or
// ending after it) passes.
Outcome run_builtin(Builtin check, const model::Trace& trace, std::uint64_t skew_tolerance_nanos);

// "'POST /hook' (span 3f2a…) of delivery-worker": how messages name a span.
std::string span_label(const model::Trace& trace, const SpanId& span_id);

// A broken hop in a sentence: both spans, both services, the likely culprit.
std::string broken_hop_sentence(const model::Trace& trace, const model::BrokenHop& hop);

}  // namespace tracemesh::verify
