// The threads that run a gRPC server's handlers, so that the calls of one
// connection are answered concurrently (an OpenTelemetry Collector sends its
// exports as concurrent calls on one HTTP/2 connection, and the store commits
// concurrent writes as one group) while its connection thread goes on reading.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace tracemesh::collector {

class GrpcCallPool {
 public:
  explicit GrpcCallPool(std::size_t threads);
  ~GrpcCallPool();  // runs every task submitted, then joins the threads
  GrpcCallPool(const GrpcCallPool&) = delete;
  GrpcCallPool& operator=(const GrpcCallPool&) = delete;

  void submit(std::function<void()> task);

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tracemesh::collector
