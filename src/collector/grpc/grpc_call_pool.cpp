#include "collector/grpc/grpc_call_pool.h"

namespace tracemesh::collector {

GrpcCallPool::GrpcCallPool(std::size_t threads) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      for (;;) {
        std::function<void()> task;
        {
          std::unique_lock lock(mutex_);
          wake_.wait(lock, [this] { return closing_ || !tasks_.empty(); });
          if (tasks_.empty()) return;  // closing, and nothing left to run
          task = std::move(tasks_.front());
          tasks_.pop_front();
        }
        task();
      }
    });
  }
}

GrpcCallPool::~GrpcCallPool() {
  {
    const std::lock_guard lock(mutex_);
    closing_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void GrpcCallPool::submit(std::function<void()> task) {
  {
    const std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
}

}  // namespace tracemesh::collector
