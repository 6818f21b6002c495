#include "model/log_trail.h"

#include "model/span_record.h"

#include <algorithm>
#include <unordered_map>

namespace tracemesh::model {
namespace {

const std::string no_service;

void add_sightings(LogTrail& trail) {
  std::unordered_map<std::string, std::size_t> index;
  for (const LogRecord& record : trail.records) {
    const auto [it, added] = index.try_emplace(record.service, trail.services.size());
    if (added) {
      trail.services.push_back({record.service, record.time_unix_nano, record.time_unix_nano, 0});
    }
    ServiceSighting& sighting = trail.services[it->second];
    sighting.last_unix_nano = std::max(sighting.last_unix_nano, record.time_unix_nano);
    ++sighting.lines;
  }
}

}  // namespace

const std::string& LogTrail::first_service() const noexcept {
  return services.empty() ? no_service : services.front().service;
}

std::uint64_t LogTrail::first_unix_nano() const noexcept {
  return records.empty() ? 0 : records.front().time_unix_nano;
}

const ServiceSighting* LogTrail::sighting(const std::string& service) const noexcept {
  for (const ServiceSighting& item : services) {
    if (item.service == service) return &item;
  }
  return nullptr;
}

std::vector<LogTrail> log_trails(const std::vector<LogRecord>& records) {
  std::unordered_map<TraceId, std::size_t, IdHash> index;
  std::vector<LogTrail> trails;
  for (const LogRecord& record : records) {
    if (!record.has_trace_id()) continue;
    const auto [it, added] = index.try_emplace(record.trace_id, trails.size());
    if (added) {
      LogTrail& trail = trails.emplace_back();
      trail.trace_id = record.trace_id;
    }
    trails[it->second].records.push_back(record);
  }
  for (LogTrail& trail : trails) {
    std::stable_sort(
        trail.records.begin(), trail.records.end(),
        [](const LogRecord& a, const LogRecord& b) { return a.time_unix_nano < b.time_unix_nano; });
    trail.logged_id = trail.records.front().logged_id;
    add_sightings(trail);
  }
  std::stable_sort(trails.begin(), trails.end(), [](const LogTrail& a, const LogTrail& b) {
    return a.first_unix_nano() < b.first_unix_nano();
  });
  return trails;
}

}  // namespace tracemesh::model
