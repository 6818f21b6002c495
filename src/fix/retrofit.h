// `tracemesh fix`: the retrofit of trace propagation into a repository's
// untraced call sites, planned from an audit. Each site to an internal
// service (and, when asked, to external hosts) is fixed in the
// repository's own idiom, chosen per site in this order: its traced client
// factory at the client's construction, its header helper, its trace-id
// context variable with its header constant, OpenTelemetry's inject, else
// one small helper module written into the service's shared package
// (helper_module.h) with its hook registered on the served app. A site the
// fixer cannot change safely is listed with the reason, never half-edited;
// every patched file must parse again as well as it did before.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "tracemesh/expected.h"

namespace tracemesh::fix {

struct FixOptions {
  std::vector<std::string> only;  // services whose sites are fixed; empty: all
  bool include_external = false;  // also sites to external hosts, infrastructure, unknown targets
  bool middleware = false;        // give services without inbound middleware the helper's hook
  std::string header;             // the new helper's header; "" the fleet's, else X-Trace-ID
};

// How a site was fixed.
struct FixedSite {
  std::string service;
  std::string file;  // the call site
  int line = 0;
  std::string target;
  std::string idiom;        // "traced factory make_client", "header helper trace_headers",
                            // "context variable trace_id_var", "opentelemetry inject", "new helper"
  std::string edited_file;  // where the change is: the site, or its client's construction
  int edited_line = 0;
};

// A site left as it is, and why.
struct SkippedSite {
  std::string service;
  std::string file;
  int line = 0;
  std::string target;
  std::string reason;
};

// A file the retrofit changes or creates.
struct FileChange {
  std::string path;  // relative, '/' separators
  std::string before;
  std::string after;
  bool created = false;
};

struct Retrofit {
  std::vector<FixedSite> fixed;
  std::vector<SkippedSite> skipped;
  std::vector<std::string> hooked_services;  // given the helper's inbound hook
  // What the user must do by hand for the fix to hold at run time (a worker
  // with no web app: where its trace id comes from).
  std::vector<std::string> notes;
  std::vector<FileChange> files;  // sorted by path

  // The unified diff of every change, applying with `git apply` or
  // `patch -p1` from the repository's root; "" when nothing changes.
  std::string patch() const;
};

// Plan the retrofit of the audited repository.
Retrofit plan_retrofit(const audit::AuditedFleet& audited, const FixOptions& options);

// Write the retrofit's files under `root`. An Error naming the file when one
// cannot be written (the files before it are written).
Expected<void> write_retrofit(const std::filesystem::path& root, const Retrofit& retrofit);

}  // namespace tracemesh::fix
