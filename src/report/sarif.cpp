#include "report/sarif.h"

#include <cstdint>

#include "report/json_writer.h"

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

// Keys are written in byte order, as SARIF files from this writer always were.
std::string sarif_json(const SarifTool& tool, const std::vector<SarifRule>& rules,
                       const std::vector<SarifResult>& results) {
  JsonWriter json;
  json.begin_object().field("$schema", "https://json.schemastore.org/sarif-2.1.0.json");
  json.key("runs").begin_array().begin_object();
  if (!tool.root.empty()) {
    json.key("originalUriBaseIds")
        .begin_object()
        .key("%SRCROOT%")
        .begin_object()
        .field("uri", "file://" + uri_path(tool.root))
        .end_object()
        .end_object();
  }
  json.key("results").begin_array();
  for (const SarifResult& result : results) {
    std::size_t index = 0;
    for (; index < rules.size() && rules[index].id != result.rule_id; ++index) {
    }
    json.begin_object();
    if (index < rules.size()) json.field("level", rules[index].level);
    json.key("locations").begin_array();
    for (const SarifLocation& location : result.locations) {
      json.begin_object().key("physicalLocation").begin_object();
      json.key("artifactLocation")
          .begin_object()
          .field("uri", uri_path(location.path))
          .field("uriBaseId", "%SRCROOT%")
          .end_object();
      if (location.line > 0) {
        json.key("region").begin_object().field("startLine", location.line).end_object();
      }
      json.end_object().end_object();
    }
    json.end_array();
    json.key("message").begin_object().field("text", result.message).end_object();
    json.field("ruleId", result.rule_id);
    if (index < rules.size()) json.field("ruleIndex", static_cast<std::uint64_t>(index));
    json.end_object();
  }
  json.end_array();
  json.key("tool").begin_object().key("driver").begin_object();
  if (!tool.information_uri.empty()) json.field("informationUri", tool.information_uri);
  json.field("name", tool.name).key("rules").begin_array();
  for (const SarifRule& rule : rules) {
    json.begin_object()
        .key("defaultConfiguration")
        .begin_object()
        .field("level", rule.level)
        .end_object()
        .field("id", rule.id)
        .field("name", rule.name)
        .key("shortDescription")
        .begin_object()
        .field("text", rule.description)
        .end_object()
        .end_object();
  }
  json.end_array().field("version", tool.version).end_object().end_object();
  json.end_object().end_array();
  json.field("version", "2.1.0").end_object();
  return json.take();
}

}  // namespace tracemesh::report
