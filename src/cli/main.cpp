// tracemesh: one binary, one subcommand per tool. Exit codes: 0 success,
// 1 runtime failure, 2 usage or input error (subcommands may add their own).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>
#include <string>

#include "cli/audit_command.h"
#include "cli/collect_command.h"
#include "cli/fix_command.h"
#include "cli/verify_command.h"

int main(int argc, char** argv) {
  CLI::App app{"tracemesh: trace propagation you can check"};
  app.set_version_flag("--version", std::string("tracemesh ") + TRACEMESH_VERSION);
  app.require_subcommand(1);
  std::function<int()> run;
  tracemesh::cli::add_audit_command(app, run);
  tracemesh::cli::add_collect_command(app, run);
  tracemesh::cli::add_fix_command(app, run);
  tracemesh::cli::add_verify_command(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  return run ? run() : 2;
}
