#include "report/sarif.h"

#include <nlohmann/json.hpp>

namespace tracemesh::report {

std::string uri_path(std::string_view path) {
  static const char hex[] = "0123456789ABCDEF";
  std::string uri;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
        (byte >= '0' && byte <= '9') || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      uri += c;
    } else {
      uri += '%';
      uri += hex[byte >> 4];
      uri += hex[byte & 15];
    }
  }
  return uri;
}

std::string sarif_json(const SarifTool& tool, const std::vector<SarifRule>& rules,
                       const std::vector<SarifResult>& results) {
  using nlohmann::json;
  json rule_list = json::array();
  for (const SarifRule& rule : rules) {
    rule_list.push_back({{"id", rule.id},
                         {"name", rule.name},
                         {"shortDescription", {{"text", rule.description}}},
                         {"defaultConfiguration", {{"level", rule.level}}}});
  }
  json result_list = json::array();
  for (const SarifResult& result : results) {
    json locations = json::array();
    for (const SarifLocation& location : result.locations) {
      json physical = {
          {"artifactLocation", {{"uri", uri_path(location.path)}, {"uriBaseId", "%SRCROOT%"}}}};
      if (location.line > 0) physical["region"] = {{"startLine", location.line}};
      locations.push_back({{"physicalLocation", std::move(physical)}});
    }
    std::size_t index = 0;
    for (; index < rules.size() && rules[index].id != result.rule_id; ++index) {
    }
    json entry = {{"ruleId", result.rule_id},
                  {"message", {{"text", result.message}}},
                  {"locations", std::move(locations)}};
    if (index < rules.size()) {
      entry["ruleIndex"] = index;
      entry["level"] = rules[index].level;
    }
    result_list.push_back(std::move(entry));
  }
  json driver = {{"name", tool.name}, {"version", tool.version}, {"rules", std::move(rule_list)}};
  if (!tool.information_uri.empty()) driver["informationUri"] = tool.information_uri;
  json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
              {"version", "2.1.0"},
              {"runs", json::array({{{"tool", {{"driver", std::move(driver)}}},
                                     {"results", std::move(result_list)}}})}};
  if (!tool.root.empty()) {
    log["runs"][0]["originalUriBaseIds"] = {
        {"%SRCROOT%", {{"uri", "file://" + uri_path(tool.root)}}}};
  }
  return log.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace tracemesh::report
