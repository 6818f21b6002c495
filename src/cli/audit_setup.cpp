#include "cli/audit_setup.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>

namespace tracemesh::cli {

Expected<audit::AuditConfig> load_audit_config_for(const std::string& path,
                                                   const std::string& config) {
  if (!config.empty()) return audit::load_audit_config(config);
  const std::filesystem::path implicit = std::filesystem::path(path) / ".tracemesh.yaml";
  std::error_code error;
  if (std::filesystem::exists(implicit, error)) return audit::load_audit_config(implicit);
  return audit::AuditConfig{};
}

Progress::Progress() : enabled_(isatty(STDERR_FILENO) == 1) {}

void Progress::update(std::size_t done, std::size_t total) {
  if (!enabled_ || total == 0) return;
  constexpr std::size_t width = 30;
  const std::size_t filled = done * width / total;
  std::fprintf(stderr, "\rParsing %zu/%zu Python files [%s%s] %3zu%%", done, total,
               std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
               done * 100 / total);
  shown_ = true;
}

void Progress::finish() const {
  if (shown_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace tracemesh::cli
