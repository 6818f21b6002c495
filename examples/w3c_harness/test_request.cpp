#include "test_request.h"

#include <string>

#include <nlohmann/json.hpp>

#include "loopback_address.h"

namespace w3c_harness {
namespace {

using nlohmann::json;

// Parse `body`, refusing nesting deeper than max_nesting_depth: serializing
// such a value later would recurse once per level.
tracemesh::Expected<json> parse_bounded(std::string_view body) {
  bool too_deep = false;
  json::parser_callback_t limit_depth = [&too_deep](int depth, json::parse_event_t event, json&) {
    bool opens =
        event == json::parse_event_t::object_start || event == json::parse_event_t::array_start;
    if (opens && depth >= max_nesting_depth) too_deep = true;
    return !too_deep;
  };
  json parsed = json::parse(body.begin(), body.end(), limit_depth, /*allow_exceptions=*/false);
  if (too_deep) {
    return rejection("body nests deeper than " + std::to_string(max_nesting_depth) + " levels");
  }
  if (parsed.is_discarded()) return rejection("body is not valid JSON");
  return parsed;
}

tracemesh::Expected<OutboundCall> parse_entry(const json& entry, std::size_t index) {
  const std::string where = "entry " + std::to_string(index) + ": ";
  if (!entry.is_object()) return rejection(where + "is not an object");
  auto url = entry.find("url");
  if (url == entry.end() || !url->is_string()) {
    return rejection(where + "has no string \"url\"");
  }
  auto parsed_url = parse_loopback_url(url->get_ref<const std::string&>());
  if (!parsed_url) return rejection(where + std::string(parsed_url.error().text()));
  OutboundCall call{std::move(*parsed_url), "[]"};
  auto arguments = entry.find("arguments");
  if (arguments != entry.end()) {
    if (!arguments->is_array()) return rejection(where + "\"arguments\" is not an array");
    call.body = arguments->dump(-1, ' ', false, json::error_handler_t::replace);
  }
  return call;
}

}  // namespace

tracemesh::Expected<std::vector<OutboundCall>> parse_test_request(std::string_view body) {
  auto parsed = parse_bounded(body);
  if (!parsed) return parsed.error();
  if (!parsed->is_array()) return rejection("body is not a JSON array of {url, arguments}");
  if (parsed->size() > max_calls) {
    return rejection("body asks for more than " + std::to_string(max_calls) + " calls");
  }
  std::vector<OutboundCall> calls;
  calls.reserve(parsed->size());
  for (std::size_t index = 0; index < parsed->size(); ++index) {
    auto call = parse_entry((*parsed)[index], index);
    if (!call) return call.error();
    calls.push_back(std::move(*call));
  }
  return calls;
}

}  // namespace w3c_harness
