#include "tracemesh/current_context.h"

#include <atomic>
#include <mutex>
#include <vector>

namespace tracemesh {
namespace {

class ThreadLocalStorage final : public ContextStorage {
 public:
  Context get() const override { return current_; }
  Context exchange(Context context) override {
    std::swap(current_, context);
    return context;
  }

 private:
  static thread_local Context current_;
};

// initial-exec: see random.cpp.
thread_local Context ThreadLocalStorage::current_ __attribute__((tls_model("initial-exec")));

ThreadLocalStorage default_storage;
std::atomic<ContextStorage*> installed_storage{&default_storage};

ContextStorage& active_storage() noexcept {
  return *installed_storage.load(std::memory_order_acquire);
}

}  // namespace

void set_context_storage(std::unique_ptr<ContextStorage> storage) {
  // Installed storages are kept for the life of the process: another thread
  // may still be reading through a storage that is being replaced.
  static std::mutex mutex;
  static auto* retired = new std::vector<std::unique_ptr<ContextStorage>>();  // NOLINT
  ContextStorage* next = storage ? storage.get() : &default_storage;
  std::lock_guard lock(mutex);
  if (storage) retired->push_back(std::move(storage));
  installed_storage.store(next, std::memory_order_release);
}

Context current_context() {
  return active_storage().get();
}

Scope::Scope(Context context)
    : storage_(&active_storage()), previous_(storage_->exchange(std::move(context))) {}

// Restores into the storage it changed (storages are never freed, see above),
// so replacing the storage while a scope is open cannot corrupt the new one.
Scope::~Scope() {
  storage_->exchange(std::move(previous_));
}

}  // namespace tracemesh
