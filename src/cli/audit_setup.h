// What `tracemesh audit` and `tracemesh fix` set up alike: the config file
// (--config, else PATH/.tracemesh.yaml) and a progress bar on a terminal.
#pragma once

#include <cstddef>
#include <string>

#include "audit/config.h"
#include "tracemesh/expected.h"

namespace tracemesh::cli {

// The config file `config` names, else PATH/.tracemesh.yaml when there is one.
Expected<audit::AuditConfig> load_audit_config_for(const std::string& path,
                                                   const std::string& config);

// A progress bar on stderr, only when it is a terminal.
class Progress {
 public:
  Progress();
  void update(std::size_t done, std::size_t total);
  void finish() const;

 private:
  bool enabled_;
  bool shown_ = false;
};

}  // namespace tracemesh::cli
