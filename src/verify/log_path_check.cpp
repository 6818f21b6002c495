#include "verify/log_path_check.h"

#include <algorithm>
#include <unordered_set>

#include "model/duration.h"
#include "model/span_record.h"
#include "model/timestamp.h"

namespace tracemesh::verify {
namespace {

constexpr std::size_t max_examples = 3;

std::string quoted(const std::string& text) {
  return "'" + text + "'";
}

std::string joined(const std::vector<std::string>& items, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < items.size() && i < limit; ++i) {
    if (i > 0) out += ", ";
    out += items[i];
  }
  if (items.size() > limit) out += ", ... " + std::to_string(items.size() - limit) + " more";
  return out;
}

std::string plural(std::size_t count, const std::string& one, const std::string& many) {
  return std::to_string(count) + " " + (count == 1 ? one : many);
}

constexpr std::size_t none = static_cast<std::size_t>(-1);

// The index of the earliest line of `service` naming the trail's id at or
// after `after` (less the tolerance, which only lets another service's clock
// run behind), that no earlier hop used: a line proves one hop, and a service
// repeated in a path needs a later line of its own. `none` when there is none.
std::size_t next_sighting(const model::LogTrail& trail, const std::string& service,
                          std::uint64_t after, std::uint64_t tolerance,
                          const std::vector<std::size_t>& used) {
  const std::size_t previous = used.empty() ? none : used.back();
  const bool same_service = previous != none && trail.records[previous].service == service;
  const std::uint64_t from = after > tolerance && !same_service ? after - tolerance : after;
  for (std::size_t i = 0; i < trail.records.size(); ++i) {
    const model::LogRecord& record = trail.records[i];
    if (record.service != service || record.time_unix_nano < from) continue;
    if (std::find(used.begin(), used.end(), i) != used.end()) continue;
    if (same_service && i < previous) continue;
    return i;
  }
  return none;
}

std::uint64_t last_line(const model::LogTrail& trail, const std::string& service) {
  const model::ServiceSighting* sighting = trail.sighting(service);
  return sighting == nullptr ? 0 : sighting->last_unix_nano;
}

std::string services_in_logs(const ServiceActivity& activity) {
  return "the logs have " + joined(activity.services(), 12);
}

// Why `callee` has no line of the id after `caller`'s at `caller_time`.
std::string missing_hop(const std::string& caller, std::uint64_t caller_time,
                        const std::string& callee, const model::LogTrail& trail,
                        const ServiceActivity& activity, const LogPathOptions& options) {
  // The callee's last line of the id before the caller's: how far apart the clocks would be.
  const model::LogRecord* before = nullptr;
  for (const model::LogRecord& record : trail.records) {
    if (record.service == callee && record.time_unix_nano < caller_time) before = &record;
  }
  if (callee == caller && trail.sighting(callee) != nullptr) {
    return callee + " logged the id no more after that line";
  }
  if (before != nullptr) {
    return callee + " logged the id only before " + caller + " did (last at " +
           model::format_timestamp(before->time_unix_nano) + ", " +
           model::format_duration(caller_time - before->time_unix_nano) +
           " earlier): clocks apart? --skew-tolerance allows for it";
  }
  if (!activity.logs(callee)) {
    return "no log line from " + quoted(callee) + " at all (" + services_in_logs(activity) + ")";
  }
  const std::uint64_t from =
      caller_time > options.skew_tolerance_nanos ? caller_time - options.skew_tolerance_nanos : 0;
  const std::uint64_t to = last_line(trail, caller) + options.window_nanos;
  const ServiceActivity::Window window = activity.between(callee, from, to, trail.trace_id);
  const std::string when = "within " + model::format_duration(options.window_nanos) + " after " +
                           caller + "'s line" + (last_line(trail, caller) > caller_time ? "s" : "");
  if (window.other_ids > 0) {
    return callee + " logged " + plural(window.other_ids, "other id", "other ids") + " " + when +
           " (" + joined(window.examples, max_examples) + "): the id was likely not forwarded";
  }
  if (window.without_id > 0) {
    return callee + " logged " + plural(window.without_id, "line", "lines") +
           " without a trace id " + when +
           ": it was likely called but did not read the id, or does not log it";
  }
  return callee + " logged nothing " + when +
         ": the call likely never reached it (or it logs nothing for it)";
}

}  // namespace

ServiceActivity::ServiceActivity(const std::vector<model::LogRecord>& records) {
  std::unordered_map<TraceId, std::pair<std::uint64_t, const std::string*>, model::IdHash> first;
  for (const model::LogRecord& record : records) {
    lines_[record.service].push_back({record.time_unix_nano, record.trace_id, &record.logged_id});
    if (!record.has_trace_id()) continue;
    const auto [it, added] =
        first.try_emplace(record.trace_id, record.time_unix_nano, &record.service);
    if (!added && record.time_unix_nano < it->second.first) {
      it->second = {record.time_unix_nano, &record.service};
    }
  }
  for (const auto& [trace_id, earliest] : first) origin_.emplace(trace_id, *earliest.second);
  for (auto& [service, lines] : lines_) {
    std::stable_sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) {
      return a.time_unix_nano < b.time_unix_nano;
    });
  }
}

ServiceActivity::Window ServiceActivity::between(const std::string& service, std::uint64_t from,
                                                 std::uint64_t to, const TraceId& trace_id) const {
  Window window;
  const auto found = lines_.find(service);
  if (found == lines_.end()) return window;
  const auto& lines = found->second;
  auto it =
      std::lower_bound(lines.begin(), lines.end(), from,
                       [](const Line& line, std::uint64_t t) { return line.time_unix_nano < t; });
  std::unordered_set<TraceId, model::IdHash> others;
  for (; it != lines.end() && it->time_unix_nano <= to; ++it) {
    if (!it->trace_id.is_valid()) {
      ++window.without_id;
      continue;
    }
    // Only ids that began at this service: an id another service logged first
    // came in with its caller, and says nothing about the one asked about.
    const auto origin = origin_.find(it->trace_id);
    const bool began_here = origin != origin_.end() && origin->second == service;
    if (it->trace_id != trace_id && began_here && others.insert(it->trace_id).second) {
      if (window.examples.size() < max_examples) window.examples.push_back(*it->logged_id);
    }
  }
  window.other_ids = others.size();
  return window;
}

std::vector<std::string> ServiceActivity::services() const {
  std::vector<std::string> names;
  names.reserve(lines_.size());
  for (const auto& [service, lines] : lines_) names.push_back(service);
  std::sort(names.begin(), names.end());
  return names;
}

Outcome check_log_path(const ServicePath& path, const model::LogTrail& trail,
                       const ServiceActivity& activity, const LogPathOptions& options) {
  std::string held;
  std::uint64_t previous_time = 0;
  std::uint64_t start = 0;
  std::vector<std::size_t> used;
  for (std::size_t i = 0; i < path.services.size(); ++i) {
    const std::string& service = path.services[i];
    const std::size_t index = next_sighting(trail, service, previous_time,
                                            i == 0 ? 0 : options.skew_tolerance_nanos, used);
    const model::LogRecord* line = index == none ? nullptr : &trail.records[index];
    if (line == nullptr && i == 0) {
      std::vector<std::string> loggers;
      for (const model::ServiceSighting& sighting : trail.services)
        loggers.push_back(sighting.service);
      const std::string why =
          activity.logs(service)
              ? service + " never logged the id (it was logged by " + joined(loggers, 12) + ")"
              : "no log line from " + quoted(service) + " at all (" + services_in_logs(activity) +
                    ")";
      return {false, why, {}};
    }
    if (line == nullptr) {
      std::string message = "the id reached " + held;
      message += ", never " + service + ": ";
      message +=
          missing_hop(path.services[i - 1], previous_time, service, trail, activity, options);
      return {false, std::move(message), {}};
    }
    used.push_back(index);
    if (i == 0) {
      start = line->time_unix_nano;
      held = service + " (" + model::format_timestamp(start) + ")";
    } else {
      // From the path's first line; a line within the tolerance before it is "-".
      const bool after_start = line->time_unix_nano >= start;
      held += " -> " + service + " (" + (after_start ? "+" : "-") +
              model::format_duration(after_start ? line->time_unix_nano - start
                                                 : start - line->time_unix_nano) +
              ")";
    }
    previous_time = std::max(previous_time, line->time_unix_nano);
  }
  return {true, held, {}};
}

}  // namespace tracemesh::verify
