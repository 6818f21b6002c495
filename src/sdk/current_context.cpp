#include "tracemesh/current_context.h"

#include <atomic>

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

thread_local Context ThreadLocalStorage::current_;

ThreadLocalStorage default_storage;
std::atomic<ContextStorage*> installed_storage{&default_storage};

ContextStorage& storage() noexcept { return *installed_storage.load(std::memory_order_acquire); }

}  // namespace

void set_context_storage(std::unique_ptr<ContextStorage> replacement) {
  // The replaced storage is leaked on purpose: a thread may still be reading
  // through it, and storages are replaced once per process.
  ContextStorage* next = replacement ? replacement.release() : &default_storage;
  installed_storage.store(next, std::memory_order_release);
}

Context current_context() { return storage().get(); }

Scope::Scope(Context context) : previous_(storage().exchange(std::move(context))) {}

Scope::~Scope() { storage().exchange(std::move(previous_)); }

}  // namespace tracemesh
