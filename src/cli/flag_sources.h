// Where a subcommand's flags may also come from, for services run by systemd
// or in containers: an environment variable per flag and a YAML file.
//   --otlp-listen  ←  TRACEMESH_OTLP_LISTEN  ←  otlp-listen: in --config FILE
// The command line wins over the environment, the environment over the file.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>

namespace tracemesh::cli {

// Give every long option of `command` an environment variable: `prefix`
// then its name in capitals, '-' as '_' (TRACEMESH_OTLP_LISTEN).
void add_environment_names(CLI::App& command, std::string_view prefix);

// Read `path` (a YAML map of flag names, without the dashes, to a value or
// a list of values) into the options of `command` that neither the command
// line nor the environment set. Throws CLI::FileError (unreadable, not a
// map) and CLI::ValidationError (unknown setting, bad value) naming the file.
void apply_config_file(CLI::App& command, const std::string& path);

}  // namespace tracemesh::cli
