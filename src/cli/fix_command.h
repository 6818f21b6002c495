// `tracemesh fix PATH`: a unified diff that makes every untraced call site
// to an internal service carry the trace, in the repository's own idiom
// (docs/fix.md); --write applies it in place. Exit codes: 0 every such site
// fixed (or none to fix), 1 some sites left as they are (each listed with
// the reason), 2 usage or input error.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

namespace tracemesh::cli {

// Register the subcommand on `app`; `run` is set to its action.
void add_fix_command(CLI::App& app, std::function<int()>& run);

}  // namespace tracemesh::cli
