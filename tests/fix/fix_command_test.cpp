// `tracemesh fix` as a user runs it: the real binary on a fixture copy.
// The patch on stdout (or -o), --write changing the files in place, JSON
// with the patch inside, the exit codes (0 all fixed, 1 sites left, 2
// usage), --help, and bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fix_fixture.h"

namespace tracemesh::fix {
namespace {

using nlohmann::json;
using testing::FixedRepository;
using testing::read_text;

::tracemesh::testing::Finished fix(const FixedRepository& repository,
                                   std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), {TRACEMESH_BINARY, "fix"});
  return repository.run(arguments);
}

TEST(FixCommand, PrintsThePatchAndASummaryAndChangesNothing) {
  const FixedRepository repository("header-helper");
  const std::string before = repository.text("services/gateway/app.py");
  const auto run = fix(repository, {repository.root().string()});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("--- a/services/gateway/app.py\n+++ b/services/gateway/app.py\n"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("tracemesh fix: 3 call site(s) fixed (3 by header helper "
                            "outbound_headers), 0 left; 1 file(s) in the patch"),
            std::string::npos)
      << run.output;
  EXPECT_EQ(repository.text("services/gateway/app.py"), before);
}

TEST(FixCommand, WriteChangesTheFilesAndASecondRunHasNothingToDo) {
  const FixedRepository repository("traced-factory");
  const auto written = fix(repository, {repository.root().string(), "--write"});
  EXPECT_EQ(written.exit_code, 0) << written.output;
  EXPECT_EQ(written.output.find("--- a/"), std::string::npos);  // no patch printed
  EXPECT_NE(repository.text("services/orders/main.py")
                .find("payments = traced_client(base_url=PAYMENTS_URL, timeout=10.0)"),
            std::string::npos);
  const auto again = fix(repository, {repository.root().string(), "--write"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("0 call site(s) fixed, 0 left; 0 file(s) written"), std::string::npos)
      << again.output;
}

TEST(FixCommand, JsonHasTheDocumentedShapeAndSitesLeftExitOne) {
  const FixedRepository repository("new-helper");
  const std::filesystem::path output = repository.root().parent_path() / "fix.json";
  const auto run =
      fix(repository, {repository.root().string(), "--format", "json", "-o", output.string()});
  EXPECT_EQ(run.exit_code, 1) << run.output;  // two sites are left, each listed
  EXPECT_NE(run.output.find("tracemesh fix: left services/storefront/legacy.py:8"),
            std::string::npos)
      << run.output;
  EXPECT_NE(run.output.find("tracemesh fix: note: notifier:"), std::string::npos) << run.output;
  const auto report = nlohmann::ordered_json::parse(read_text(output));
  std::vector<std::string> keys;
  for (const auto& [key, value] : report.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"schema", "root", "written", "fixed", "skipped",
                                            "hooked_services", "notes", "files", "patch"}));
  EXPECT_EQ(report["schema"], "tracemesh.fix/v1");
  EXPECT_EQ(report["fixed"].size(), 4U);
  EXPECT_EQ(report["skipped"].size(), 2U);
  EXPECT_EQ(report["fixed"][0]["idiom"], "new helper common/trace_context.py");
  EXPECT_NE(report["patch"].get<std::string>().find("+++ b/common/trace_context.py"),
            std::string::npos);
}

TEST(FixCommand, OnlyAnUnknownServiceIsAUsageError) {
  const FixedRepository repository("new-helper");
  const auto run = fix(repository, {repository.root().string(), "--only", "catalog,nope"});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("--only: no service named 'nope'"), std::string::npos) << run.output;
}

TEST(FixCommand, APathThatIsNoDirectoryIsAUsageError) {
  const FixedRepository repository("new-helper");
  const auto run = fix(repository, {(repository.root() / "common/settings.py").string()});
  EXPECT_EQ(run.exit_code, 2) << run.output;
  EXPECT_NE(run.output.find("not a directory to fix"), std::string::npos) << run.output;
}

TEST(FixCommand, HelpNamesEveryOption) {
  const FixedRepository repository("new-helper");
  const auto run = fix(repository, {"--help"});
  EXPECT_EQ(run.exit_code, 0) << run.output;
  for (const char* option : {"--write", "--only", "--include-external", "--middleware", "--header",
                             "--format", "--output", "Exit codes"})
    EXPECT_NE(run.output.find(option), std::string::npos) << option;
}

}  // namespace
}  // namespace tracemesh::fix
