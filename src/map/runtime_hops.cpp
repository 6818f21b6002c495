#include "map/runtime_hops.h"

#include <nlohmann/json.hpp>

namespace tracemesh::map {
namespace {

using nlohmann::json;

struct BadField {
  std::string message;
};

const json& member(const json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end()) throw BadField{std::string("missing \"") + name + "\""};
  return *found;
}

std::string text(const json& object, const char* name) {
  const auto found = object.find(name);
  if (found == object.end() || found->is_null()) return {};
  if (!found->is_string()) throw BadField{std::string("\"") + name + "\" must be a string or null"};
  return found->get<std::string>();
}

std::uint64_t number(const json& value, const std::string& name) {
  if (!value.is_number_unsigned() && !(value.is_number_integer() && value.get<std::int64_t>() >= 0))
    throw BadField{"\"" + name + "\" must be a non-negative integer"};
  return value.get<std::uint64_t>();
}

std::uint64_t count(const json& object, const char* name) {
  return number(member(object, name), name);
}

RuntimeHop read_hop(const json& entry) {
  if (!entry.is_object()) throw BadField{"a hop must be an object"};
  RuntimeHop hop;
  hop.caller = text(entry, "caller");
  if (hop.caller.empty()) throw BadField{"\"caller\" must name a service"};
  hop.callee = text(entry, "callee");
  hop.peer = text(entry, "peer");
  hop.protocol = text(entry, "protocol");
  hop.method = text(entry, "method");
  hop.route = text(entry, "route");
  hop.path = text(entry, "path");
  hop.topic = text(entry, "topic");
  if (const auto site = entry.find("site"); site != entry.end() && !site->is_null()) {
    if (!site->is_object()) throw BadField{"\"site\" must be an object or null"};
    RuntimeSite where;
    where.file = text(*site, "file");
    // A line no file has (a sender's bug) loses the site, not the answer.
    const auto line = site->find("line");
    const bool usable = line != site->end() && line->is_number_integer() &&
                        line->get<std::int64_t>() > 0 && line->get<std::int64_t>() <= 100'000'000;
    if (usable) where.line = static_cast<int>(line->get<std::int64_t>());
    where.function = text(*site, "function");
    if (!usable) where.file.clear();
    if (!where.file.empty()) hop.site = std::move(where);
  }
  hop.connected = count(entry, "connected");
  hop.unanswered = count(entry, "unanswered");
  // Absent from collectors before restarted hops and unsampled calls: none.
  for (const auto& [name, field] :
       {std::pair{"restarted", &hop.restarted}, std::pair{"unsampled", &hop.unsampled}}) {
    if (const auto found = entry.find(name); found != entry.end()) *field = number(*found, name);
  }
  // A call the callee's logs (not its spans) show arrived: the context
  // travelled, which is what an edge is proven by. Absent from older collectors.
  if (const auto found = entry.find("logged"); found != entry.end()) {
    hop.connected += number(*found, "logged");
  }
  const json& broken = member(entry, "broken");
  if (!broken.is_object()) throw BadField{"\"broken\" must be an object"};
  for (const auto& [culprit, calls] : broken.items()) {
    const std::uint64_t n = number(calls, "broken." + culprit);
    if (culprit == "caller_did_not_inject") {
      hop.broken_caller_did_not_inject += n;
    } else if (culprit == "callee_did_not_extract") {
      hop.broken_callee_did_not_extract += n;
    } else {
      hop.broken_unknown += n;
    }
  }
  if (const auto formats = entry.find("formats"); formats != entry.end()) {
    if (!formats->is_object()) throw BadField{"\"formats\" must be an object"};
    for (const auto& [format, calls] : formats->items())
      hop.formats[format] = number(calls, "formats." + format);
  }
  hop.example_trace_id = text(entry, "example_trace_id");
  return hop;
}

}  // namespace

Expected<RuntimeHops> parse_runtime_hops(std::string_view text_json) {
  const json document = json::parse(text_json, nullptr, false);
  if (document.is_discarded() || !document.is_object())
    return Error{ErrorCode::invalid_input, "the collector's hops: not a JSON object"};
  try {
    RuntimeHops hops;
    hops.start_unix_nano = count(document, "start_unix_nano");
    hops.end_unix_nano = count(document, "end_unix_nano");
    if (const auto found = document.find("unsettled_traces"); found != document.end())
      hops.unsettled_traces = number(*found, "unsettled_traces");
    if (const auto found = document.find("truncated"); found != document.end())
      hops.truncated = found->is_boolean() && found->get<bool>();
    const json& list = member(document, "hops");
    if (!list.is_array()) throw BadField{"\"hops\" must be an array"};
    for (std::size_t i = 0; i < list.size(); ++i) {
      try {
        hops.hops.push_back(read_hop(list[i]));
      } catch (const BadField& bad) {
        throw BadField{"hops[" + std::to_string(i) + "]: " + bad.message};
      }
    }
    return hops;
  } catch (const BadField& bad) {
    return Error{ErrorCode::invalid_input, "the collector's hops: " + bad.message};
  }
}

}  // namespace tracemesh::map
