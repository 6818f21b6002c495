// The current context: which trace the code running right now belongs to.
//
// By default each thread has its own current context. `Scope` makes a context
// current until the scope ends and then restores the previous one; scopes must
// end in the reverse order of their creation (they are RAII objects, so plain
// nesting does this). `wrap(f)` captures the caller's current context and makes
// it current while `f` runs, wherever that is: another thread, an executor,
// a callback queue.
//
// Coroutines: the current context is per thread, not per coroutine. A
// coroutine that suspends inside a Scope and resumes on another thread finds
// that thread's context, and the suspended Scope would restore its saved
// context on the wrong thread. Do not hold a Scope across co_await; capture
// `current_context()` before suspending and open a new Scope after resuming,
// or install a ContextStorage that your scheduler switches per task.
//
// Hosts with their own event loop replace the storage once, at start-up,
// before any context is made current (set_context_storage).
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

#include "tracemesh/context.h"

namespace tracemesh {

// Where the current context lives. Implementations must be thread-safe in
// the sense their host needs (the default is thread-local, so trivially).
class ContextStorage {
 public:
  virtual ~ContextStorage() = default;
  // Return the current context (empty when none was set).
  virtual Context get() const = 0;
  // Make `context` current, returning the context it replaces.
  virtual Context exchange(Context context) = 0;
};

// Replace the process-wide context storage. Call once before any Scope
// exists; passing null restores the default thread-local storage.
void set_context_storage(std::unique_ptr<ContextStorage> storage);

// Return the current context.
Context current_context();

// Makes a context current for its lifetime. Not copyable or movable.
class [[nodiscard]] Scope {
 public:
  explicit Scope(Context context);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

 private:
  ContextStorage* storage_;  // the storage this scope changed, restored into at its end
  Context previous_;
};

// Return a callable that runs `function` with the context that is current
// now (at the call to wrap) made current, whatever thread later invokes it.
template <typename Function>
auto wrap(Function&& function) {
  return [context = current_context(),
          function = std::forward<Function>(function)](auto&&... args) mutable -> decltype(auto) {
    Scope scope(context);
    return function(std::forward<decltype(args)>(args)...);
  };
}

}  // namespace tracemesh
