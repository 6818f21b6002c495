#include "audit/config.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <optional>
#include <sstream>

#include "model/yaml_input.h"

namespace tracemesh::audit {
namespace {

using model::yaml_input::expect_keys;
using model::yaml_input::fail;
using model::yaml_input::kind_of;
using model::yaml_input::scalar;

std::vector<std::string> string_list(const YAML::Node& node, const char* what) {
  if (!node.IsSequence())
    fail(node, std::string(what) + ": expected a list, found " + kind_of(node));
  std::vector<std::string> items;
  for (const YAML::Node& item : node) {
    std::string value = scalar(item, "a string");
    if (value.empty()) fail(item, std::string(what) + ": an empty entry");
    items.push_back(std::move(value));
  }
  return items;
}

bool is_threshold_key(std::string_view key) {
  return std::find(std::begin(threshold_keys), std::end(threshold_keys), key) !=
         std::end(threshold_keys);
}

std::string threshold_key_list() {
  std::string names;
  for (const std::string_view key : threshold_keys)
    names += (names.empty() ? "" : ", ") + std::string(key);
  return names;
}

// A percentage 0..100, with an optional trailing '%'; nullopt otherwise.
std::optional<double> percentage(std::string_view text) {
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  if (!(value >= 0 && value <= 100)) return std::nullopt;
  return value;
}

AuditConfig read_root(const YAML::Node& root) {
  AuditConfig config;
  if (root.IsNull()) return config;  // an empty file
  expect_keys(root, {"headers", "trusted_wrappers", "services", "exclude", "fail_under"},
              "the audit config");
  if (root["headers"]) config.headers = string_list(root["headers"], "headers");
  if (root["trusted_wrappers"])
    config.trusted_wrappers = string_list(root["trusted_wrappers"], "trusted_wrappers");
  if (root["exclude"]) config.exclude = string_list(root["exclude"], "exclude");
  if (const YAML::Node services = root["services"]) {
    if (!services.IsSequence())
      fail(services, "services: expected a list, found " + kind_of(services));
    for (const YAML::Node& entry : services) {
      expect_keys(entry, {"name", "root", "language"}, "a service");
      if (!entry["name"] || !entry["root"]) fail(entry, "a service needs a name and a root");
      std::string root_path = std::filesystem::path(scalar(entry["root"], "a folder"))
                                  .lexically_normal()
                                  .generic_string();
      while (root_path.size() > 1 && root_path.back() == '/') root_path.pop_back();
      if (root_path == "." || root_path == "./") root_path.clear();
      if (root_path.rfind("..", 0) == 0 || (!root_path.empty() && root_path.front() == '/'))
        fail(entry["root"], "a service root is a folder inside the repository");
      std::string language;
      if (entry["language"]) {
        language = scalar(entry["language"], "a language");
        if (language_name(language).empty())
          fail(entry["language"], "unknown language '" + language +
                                      "' (expected python, cpp, javascript, go, rust or java)");
      }
      config.services.push_back({scalar(entry["name"], "a name"), root_path, language});
    }
  }
  if (const YAML::Node thresholds = root["fail_under"]) {
    if (!thresholds.IsMap())
      fail(thresholds, "fail_under: expected a mapping, found " + kind_of(thresholds));
    for (const auto& entry : thresholds) {
      const std::string key = scalar(entry.first, "a metric");
      if (!is_threshold_key(key))
        fail(entry.first,
             "fail_under: unknown metric '" + key + "' (expected " + threshold_key_list() + ")");
      const auto value = percentage(scalar(entry.second, "a percentage"));
      if (!value) fail(entry.second, "fail_under: " + key + " needs a percentage from 0 to 100");
      config.fail_under[key] = *value;
    }
  }
  return config;
}

}  // namespace

Expected<AuditConfig> parse_audit_config(std::string_view text, std::string_view source) {
  return model::yaml_input::read(text, source, read_root);
}

Expected<AuditConfig> load_audit_config(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Error{ErrorCode::invalid_input, path.string() + ": cannot read the audit config"};
  }
  std::stringstream text;
  text << file.rdbuf();
  return parse_audit_config(text.str(), path.string());
}

Expected<std::map<std::string, double>> parse_thresholds(std::string_view text) {
  std::map<std::string, double> thresholds;
  if (text.empty()) return Error{ErrorCode::invalid_input, "--fail-under: no thresholds"};
  while (true) {
    const std::size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    const std::size_t equals = item.find('=');
    const std::string key(item.substr(0, equals));
    if (equals == std::string_view::npos || !is_threshold_key(key)) {
      return Error{ErrorCode::invalid_input, "--fail-under: '" + std::string(item) +
                                                 "' is not KEY=PCT with KEY one of " +
                                                 threshold_key_list()};
    }
    const auto value = percentage(item.substr(equals + 1));
    if (!value) {
      return Error{ErrorCode::invalid_input, "--fail-under: " + key +
                                                 " needs a percentage from 0 to 100, not '" +
                                                 std::string(item.substr(equals + 1)) + "'"};
    }
    thresholds[key] = *value;
    if (comma == std::string_view::npos) return thresholds;
    text = text.substr(comma + 1);
  }
}

}  // namespace tracemesh::audit
