// `tracemesh collect`: flags into CollectorOptions, then serve until
// SIGINT/SIGTERM. Thin: the collector library does the work.
#pragma once

#include <CLI/CLI.hpp>

namespace tracemesh::cli {

// Register the subcommand on `app`; `run` is set to its action.
void add_collect_command(CLI::App& app, std::function<int()>& run);

}  // namespace tracemesh::cli
