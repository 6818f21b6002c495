// A child process for integration tests: started with posix_spawn, its
// stdout and stderr written to one file, and never outliving the test.
//
// The destructor sends SIGTERM, waits a bounded time, then SIGKILLs, so a
// failing assertion cannot leak a server process. The child gets the test's
// environment minus every OTEL_* variable (a developer's shell settings must
// not change what a test sees) plus the variables the test names.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tracemesh::testing {

class ChildProcess {
 public:
  // Start `argv[0]` with `argv`, writing its output to `output_path`. Check
  // started() for failure.
  ChildProcess(const std::vector<std::string>& argv, const std::string& output_path,
               const std::vector<std::string>& extra_environment = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const noexcept { return pid_ > 0; }
  pid_t pid() const noexcept { return pid_; }

  // Return whether the process has not exited yet.
  bool running();
  // Wait up to `timeout` for the process to exit; return its wait status.
  std::optional<int> wait_for_exit(std::chrono::milliseconds timeout);
  // Send SIGTERM; SIGKILL after `grace`. Return the wait status.
  std::optional<int> stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

// A command run to completion: its exit code (-1 when it did not exit
// normally within the timeout; it is then stopped) and its output.
struct Finished {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};
Finished run_to_completion(const std::vector<std::string>& argv, const std::string& output_path,
                           std::chrono::milliseconds timeout,
                           const std::vector<std::string>& extra_environment = {});

}  // namespace tracemesh::testing
