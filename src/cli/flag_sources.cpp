#include "cli/flag_sources.h"

#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <vector>

namespace tracemesh::cli {

void add_environment_names(CLI::App& command, std::string_view prefix) {
  for (CLI::Option* option : command.get_options()) {
    const std::vector<std::string>& names = option->get_lnames();
    if (names.empty() || names.front() == "help") continue;
    std::string variable(prefix);
    for (const char c : names.front()) {
      variable += c == '-' ? '_' : static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    }
    option->envname(variable);
  }
}

namespace {

// "--config: FILE: SETTING: what", for an error.
CLI::ValidationError config_error(const std::string& path, const std::string& name,
                                  std::string_view what) {
  std::string message = path;
  message.append(": ").append(name).append(": ").append(what);
  return CLI::ValidationError("--config", message);
}

}  // namespace

void apply_config_file(CLI::App& command, const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    throw CLI::FileError("--config: cannot read " + path);
  } catch (const YAML::Exception& error) {
    throw CLI::FileError("--config: " + path + " is not YAML: " + error.msg + " (line " +
                         std::to_string(error.mark.line + 1) + ")");
  }
  if (root.IsNull()) return;  // an empty file sets nothing
  if (!root.IsMap()) {
    throw CLI::FileError("--config: " + path + " must be a map of flag names to values");
  }
  for (const auto& entry : root) {
    auto name = entry.first.as<std::string>();
    while (!name.empty() && name.front() == '-') name.erase(0, 1);
    for (char& c : name) {
      if (c == '_') c = '-';
    }
    CLI::Option* option =
        name == "help" || name == "config" ? nullptr : command.get_option_no_throw("--" + name);
    if (option == nullptr) {
      std::string why = "unknown setting (settings are the flags of tracemesh ";
      why.append(command.get_name()).append(", without the --)");
      throw config_error(path, "'" + name + "'", why);
    }
    // The command line and the environment come first.
    if (option->count() > 0) continue;
    std::vector<std::string> values;
    const YAML::Node& value = entry.second;
    if (value.IsSequence()) {
      for (const auto& element : value) {
        if (!element.IsScalar()) {
          throw config_error(path, name, "a list of plain values");
        }
        values.push_back(element.as<std::string>());
      }
    } else if (value.IsScalar()) {
      values.push_back(value.as<std::string>());
    } else {
      throw config_error(path, name, "a value or a list of values");
    }
    if (values.empty()) continue;
    try {
      option->add_result(values);
      option->run_callback();
    } catch (const CLI::Error& error) {
      throw config_error(path, name, error.what());
    }
  }
}

}  // namespace tracemesh::cli
