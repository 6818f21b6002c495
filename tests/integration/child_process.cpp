#include "child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <fstream>
#include <sstream>
#include <string_view>
#include <thread>

extern char** environ;

namespace tracemesh::testing {
namespace {

std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (!std::string_view(*entry).starts_with("OTEL_")) variables.emplace_back(*entry);
  }
  variables.insert(variables.end(), extra.begin(), extra.end());
  return variables;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (std::string& value : strings) result.push_back(value.data());
  result.push_back(nullptr);
  return result;
}

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& output_path,
                           const std::vector<std::string>& extra_environment) {
  std::vector<std::string> arguments = argv;
  std::vector<std::string> environment = child_environment(extra_environment);
  std::vector<char*> argument_pointers = pointers(arguments);
  std::vector<char*> environment_pointers = pointers(environment);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, output_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int error = posix_spawn(&pid, argument_pointers[0], &actions, nullptr, argument_pointers.data(),
                          environment_pointers.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error == 0) pid_ = pid;
}

ChildProcess::~ChildProcess() {
  stop();
}

bool ChildProcess::running() {
  if (!started() || status_) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) status_ = status;
  return !status_;
}

std::optional<int> ChildProcess::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return status_;
}

std::optional<int> ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return status_;
  kill(pid_, SIGTERM);
  if (wait_for_exit(grace)) return status_;
  kill(pid_, SIGKILL);
  int status = 0;
  if (waitpid(pid_, &status, 0) == pid_) status_ = status;
  return status_;
}

Finished run_to_completion(const std::vector<std::string>& argv, const std::string& output_path,
                           std::chrono::milliseconds timeout,
                           const std::vector<std::string>& extra_environment) {
  Finished finished;
  {
    ChildProcess process(argv, output_path, extra_environment);
    const auto status = process.wait_for_exit(timeout);
    if (status && WIFEXITED(*status)) finished.exit_code = WEXITSTATUS(*status);
  }  // stopped here when still running, so the output is complete
  std::ifstream file(output_path);
  std::stringstream content;
  content << file.rdbuf();
  finished.output = content.str();
  return finished;
}

}  // namespace tracemesh::testing
