// What a repository's compose files and Dockerfiles say of its services:
// each compose service built from source (its build root, ports, environment
// and start commands; the same service in several compose files of one
// folder is one service), compose services that are infrastructure (run from
// an image, or built from a database's or proxy's Dockerfile), and what a
// Dockerfile adds (ENV, EXPOSE, CMD/ENTRYPOINT). Service discovery
// (services.h) decides from these what the services are.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "audit/repository.h"
#include "audit/rules/services.h"

namespace tracemesh::audit {

// Read one compose file into `services` and `infrastructure`. `dockerfiles`
// records each Dockerfile a compose service builds (true when it builds
// infrastructure); `compose_folders` the folder of the compose file that
// first named each service, so that same-named services of other folders
// stay apart. A file that cannot be read adds a problem and nothing else.
void read_compose(const Repository& repository, const std::string& compose,
                  std::vector<Service>& services, std::vector<Infrastructure>& infrastructure,
                  std::map<std::string, bool>& dockerfiles,
                  std::map<std::string, std::string>& compose_folders,
                  std::vector<Problem>& problems);

// Keep one infrastructure entry per name, and none for a name that a compose
// file builds from source (a production file runs the image a development
// file builds).
void merge_infrastructure(std::vector<Infrastructure>& infrastructure,
                          const std::vector<Service>& services);

// Add a Dockerfile's ENV variables, EXPOSE ports and start commands (with
// the ports their flags name) to `service`.
void read_dockerfile(const std::filesystem::path& path, Service& service);

}  // namespace tracemesh::audit
