#include "fix/fix_report.h"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace tracemesh::fix {

std::string fix_summary(const Retrofit& retrofit, bool written) {
  std::string out;
  for (const SkippedSite& site : retrofit.skipped) {
    out += "tracemesh fix: left " + site.file + ":" + std::to_string(site.line) + " (" +
           site.service + " -> " + site.target + "): " + site.reason + "\n";
  }
  for (const std::string& note : retrofit.notes) out += "tracemesh fix: note: " + note + "\n";
  std::map<std::string, int> idioms;
  std::set<std::pair<std::string, int>> sites;
  for (const FixedSite& site : retrofit.fixed) {
    if (sites.insert({site.file, site.line}).second) ++idioms[site.idiom];
  }
  out += "tracemesh fix: " + std::to_string(sites.size()) + " call site(s) fixed";
  std::string how;
  for (const auto& [idiom, count] : idioms) {
    how += (how.empty() ? "" : ", ") + std::to_string(count) + " by " + idiom;
  }
  if (!how.empty()) out += " (" + how + ")";
  out += ", " + std::to_string(retrofit.skipped.size()) + " left; " +
         std::to_string(retrofit.files.size()) + " file(s) " +
         (written ? "written" : "in the patch");
  if (!retrofit.hooked_services.empty()) {
    out += "; inbound hook added to";
    for (const std::string& service : retrofit.hooked_services) out += " " + service;
  }
  return out + "\n";
}

std::string fix_json(const Retrofit& retrofit, const std::string& root, bool written) {
  nlohmann::ordered_json out;
  out["schema"] = "tracemesh.fix/v1";
  out["root"] = root;
  out["written"] = written;
  out["fixed"] = nlohmann::ordered_json::array();
  for (const FixedSite& site : retrofit.fixed) {
    out["fixed"].push_back({{"service", site.service},
                            {"file", site.file},
                            {"line", site.line},
                            {"target", site.target},
                            {"idiom", site.idiom},
                            {"edited_file", site.edited_file},
                            {"edited_line", site.edited_line}});
  }
  out["skipped"] = nlohmann::ordered_json::array();
  for (const SkippedSite& site : retrofit.skipped) {
    out["skipped"].push_back({{"service", site.service},
                              {"file", site.file},
                              {"line", site.line},
                              {"target", site.target},
                              {"reason", site.reason}});
  }
  out["hooked_services"] = retrofit.hooked_services;
  out["notes"] = retrofit.notes;
  out["files"] = nlohmann::ordered_json::array();
  for (const FileChange& change : retrofit.files) {
    out["files"].push_back({{"path", change.path}, {"created", change.created}});
  }
  out["patch"] = retrofit.patch();
  return out.dump(2) + "\n";
}

}  // namespace tracemesh::fix
