// The plan for the one small helper module the retrofit writes when a
// service has no idiom of its own (helper_module.h): where it goes for each
// service (the shared library holding the site, else the one the service
// uses, else the top package of the module that builds its app: one place
// per service, so its hook and its calls share one context variable), which
// apps get its inbound hook, and the module's text once every hook it holds,
// and so their names, are known.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/audit.h"
#include "fix/edited_file.h"
#include "fix/import_names.h"
#include "fix/retrofit.h"

namespace tracemesh::fix {

class HelperPlan {
 public:
  // `files` gives a file as the retrofit edits it (nullptr when unreadable).
  using FileSource = std::function<EditedFile*(const std::string& path)>;

  HelperPlan(const audit::AuditedFleet& audited, const ImportNames& names, FileSource files);

  // The helper module for `site` (a path); "" when none can be written
  // there (a file of that name the fixer did not write).
  std::string helper_for(const audit::OutboundCall& site);

  // Mark `helper` as used by a site: it is written.
  void use(const std::string& helper) { helpers_[helper].used = true; }

  // Register the helper's inbound hook on every app `service` serves (a
  // folder may hold several processes), once; a note when it has none.
  void hook(const std::string& service, const std::string& helper);

  // --middleware: hook the services that serve HTTP with no inbound
  // middleware of their own (only those of `only`, when it is not empty).
  void hook_unwatched(const std::vector<std::string>& only);

  // Add the hooks' registrations to their files, and return the helper
  // modules to create, each carrying `header`.
  std::vector<FileChange> finish(const std::string& header);

  const std::vector<std::string>& hooked_services() const { return hooked_services_; }
  const std::vector<std::string>& notes() const { return notes_; }

 private:
  struct PendingHook {
    std::string path;
    std::size_t at = 0;  // after the app's statement
    bool ends_line = true;
    std::string indent;
    std::string app;
    std::string family;
    std::string helper;
  };

  struct Helper {
    bool exists = false;
    std::set<std::string> families;  // of the hooks it holds
    bool watched = false;            // a service using it has inbound middleware of its own
    bool used = false;               // a site or a hook uses it (else it is not written)
  };

  std::string helper_in(const std::string& folder);
  std::optional<std::string> app_module(const std::string& service) const;
  bool hook_apps(const std::string& path, const std::string& framework, const std::string& helper);
  std::string existing_hook(const std::string& path, const std::string& family) const;

  const audit::AuditedFleet& audited_;
  const audit::Fleet& fleet_;
  const ImportNames& names_;
  FileSource files_;
  std::map<std::string, Helper> helpers_;               // by path
  std::map<std::string, std::string> service_helpers_;  // service → its helper
  std::set<std::string> hooked_;
  std::vector<PendingHook> pending_hooks_;
  std::vector<std::string> hooked_services_;
  std::vector<std::string> notes_;
};

}  // namespace tracemesh::fix
