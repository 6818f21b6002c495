// `tracemesh verify`: trace assertions for CI, against a running collector
// or OTLP JSON files. Exit codes: 0 every expectation held, 1 one failed,
// 2 usage or input error, 3 a trace did not arrive or settle in time.
#pragma once

#include <CLI/CLI.hpp>

namespace tracemesh::cli {

// Register the subcommand on `app`; `run` is set to its action.
void add_verify_command(CLI::App& app, std::function<int()>& run);

}  // namespace tracemesh::cli
