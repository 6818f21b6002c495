// Tests for the current context: Scope nesting, per-thread defaults, wrap()
// across threads and callback queues, and a replaceable ContextStorage.

#include "tracemesh/current_context.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "tracemesh/baggage.h"
#include "tracemesh/context.h"
#include "tracemesh/span_context.h"

namespace tracemesh {
namespace {

// Return a context whose active span is (`trace`, `span`), sampled.
Context make_context(std::uint64_t trace, std::uint64_t span) {
  SpanContext span_context;
  span_context.trace_id = TraceId::from_halves(0, trace);
  span_context.span_id = SpanId::from_uint64(span);
  span_context.flags = TraceFlags(TraceFlags::sampled_bit);
  return Context(span_context);
}

// Return what the current context is on a fresh thread.
Context context_on_new_thread() {
  Context seen = make_context(99, 99);
  std::thread thread([&seen] { seen = current_context(); });
  thread.join();
  return seen;
}

TEST(CurrentContext, IsEmptyByDefaultOnANewThread) {
  Scope scope(make_context(1, 1));  // the parent thread's context must not leak
  EXPECT_EQ(context_on_new_thread(), Context());
  EXPECT_FALSE(context_on_new_thread().span_context().is_valid());
}

TEST(CurrentContext, ScopeMakesItsContextCurrentAndRestoresThePrevious) {
  const Context before = current_context();
  const Context a = make_context(1, 10);
  {
    Scope scope(a);
    EXPECT_EQ(current_context(), a);
  }
  EXPECT_EQ(current_context(), before);
}

TEST(CurrentContext, NestedScopesRestoreInReverseOrder) {
  const Context outer = make_context(1, 10);
  const Context middle = make_context(1, 11);
  const Context inner = make_context(2, 20);
  {
    Scope outer_scope(outer);
    EXPECT_EQ(current_context(), outer);
    {
      Scope middle_scope(middle);
      EXPECT_EQ(current_context(), middle);
      {
        Scope inner_scope(inner);
        EXPECT_EQ(current_context(), inner);
      }
      EXPECT_EQ(current_context(), middle);
    }
    EXPECT_EQ(current_context(), outer);
  }
  EXPECT_EQ(current_context(), Context());
}

TEST(CurrentContext, ScopeOfAnEmptyContextHidesTheOuterOne) {
  Scope outer(make_context(1, 10));
  {
    Scope empty{Context()};
    EXPECT_EQ(current_context(), Context());
  }
  EXPECT_EQ(current_context(), make_context(1, 10));
}

TEST(CurrentContext, CarriesBaggage) {
  auto baggage = Baggage().set("tenant", "acme");
  ASSERT_TRUE(baggage.has_value());
  const Context context = make_context(3, 30).with_baggage(*baggage);
  Scope scope(context);
  EXPECT_EQ(current_context().baggage().get("tenant"), std::optional<std::string_view>("acme"));
}

TEST(CurrentContext, ScopesOnDifferentThreadsAreIndependent) {
  Scope scope(make_context(1, 10));
  Context seen_inside;
  Context seen_after;
  std::thread thread([&] {
    {
      Scope other(make_context(2, 20));
      seen_inside = current_context();
    }
    seen_after = current_context();
  });
  thread.join();
  EXPECT_EQ(seen_inside, make_context(2, 20));
  EXPECT_EQ(seen_after, Context());
  EXPECT_EQ(current_context(), make_context(1, 10));
}

TEST(Wrap, CarriesTheCallersContextIntoAThread) {
  const Context caller = make_context(4, 40);
  Context seen;
  Context after_call = make_context(99, 99);
  std::function<void()> task;
  {
    Scope scope(caller);
    task = wrap([&seen] { seen = current_context(); });
  }
  // The caller's scope has ended: wrap captured the context at the call to wrap.
  std::thread thread([&] {
    task();
    after_call = current_context();
  });
  thread.join();
  EXPECT_EQ(seen, caller);
  EXPECT_EQ(after_call, Context()) << "the thread's own context is restored after the call";
}

TEST(Wrap, CapturesTheContextAtWrapTimeNotAtCallTime) {
  const Context at_wrap = make_context(5, 50);
  const Context at_call = make_context(6, 60);
  Context seen;
  std::function<void()> task;
  {
    Scope scope(at_wrap);
    task = wrap([&seen] { seen = current_context(); });
  }
  {
    Scope scope(at_call);
    task();
    EXPECT_EQ(current_context(), at_call);
  }
  EXPECT_EQ(seen, at_wrap);
}

TEST(Wrap, ForwardsArgumentsAndReturnsTheResult) {
  auto doubled =
      wrap([](int value, const std::string& suffix) { return std::to_string(value * 2) + suffix; });
  EXPECT_EQ(doubled(21, "!"), "42!");
}

TEST(Wrap, RestoresTheContextWhenTheFunctionThrows) {
  const Context caller = make_context(7, 70);
  std::function<void()> task;
  {
    Scope scope(caller);
    task = wrap([] { throw std::runtime_error("boom"); });
  }
  const Context executor = make_context(8, 80);
  Scope scope(executor);
  EXPECT_THROW(task(), std::runtime_error);
  EXPECT_EQ(current_context(), executor);
}

// A single worker thread running queued callbacks, with its own current context.
class CallbackQueue {
 public:
  explicit CallbackQueue(Context worker_context)
      : worker_([this, worker_context] { run(worker_context); }) {}
  ~CallbackQueue() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    ready_.notify_all();
    worker_.join();
  }
  CallbackQueue(const CallbackQueue&) = delete;
  CallbackQueue& operator=(const CallbackQueue&) = delete;

  void post(std::function<void()> callback) {
    {
      std::lock_guard lock(mutex_);
      callbacks_.push_back(std::move(callback));
    }
    ready_.notify_all();
  }

 private:
  void run(const Context& worker_context) {
    Scope scope(worker_context);
    std::unique_lock lock(mutex_);
    for (;;) {
      ready_.wait(lock, [this] { return stopping_ || !callbacks_.empty(); });
      if (callbacks_.empty()) return;
      auto callback = std::move(callbacks_.front());
      callbacks_.pop_front();
      lock.unlock();
      callback();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> callbacks_;
  bool stopping_ = false;
  std::thread worker_;  // last: starts after the other members exist
};

TEST(Wrap, CarriesTheContextIntoACallbackRunLaterOnAnotherThread) {
  const Context worker_context = make_context(9, 90);
  const Context caller = make_context(10, 100);
  std::mutex mutex;
  std::condition_variable done;
  std::optional<Context> seen_in_callback;
  std::optional<Context> seen_after_callback;
  {
    CallbackQueue queue(worker_context);
    {
      Scope scope(caller);
      queue.post(wrap([&] {
        std::lock_guard lock(mutex);
        seen_in_callback = current_context();
      }));
    }
    // Posted unwrapped, so it observes the worker's own context after the wrapped call.
    queue.post([&] {
      std::lock_guard lock(mutex);
      seen_after_callback = current_context();
      done.notify_all();
    });
    std::unique_lock lock(mutex);
    done.wait(lock, [&] { return seen_after_callback.has_value(); });
  }
  ASSERT_TRUE(seen_in_callback.has_value());
  EXPECT_EQ(*seen_in_callback, caller);
  EXPECT_EQ(*seen_after_callback, worker_context);
}

// A storage that keeps one process-wide context and counts its use.
struct StorageCounters {
  std::atomic<int> gets{0};
  std::atomic<int> exchanges{0};
};

class CountingStorage final : public ContextStorage {
 public:
  explicit CountingStorage(std::shared_ptr<StorageCounters> counters)
      : counters_(std::move(counters)) {}
  Context get() const override {
    ++counters_->gets;
    std::lock_guard lock(mutex_);
    return context_;
  }
  Context exchange(Context context) override {
    ++counters_->exchanges;
    std::lock_guard lock(mutex_);
    std::swap(context, context_);
    return context;
  }

 private:
  std::shared_ptr<StorageCounters> counters_;
  mutable std::mutex mutex_;
  Context context_;
};

// Restores the default storage even when an assertion fails.
struct DefaultStorageGuard {
  ~DefaultStorageGuard() { set_context_storage(nullptr); }
};

TEST(ContextStorage, ACustomStorageIsUsedAndNullRestoresTheDefault) {
  auto counters = std::make_shared<StorageCounters>();
  {
    DefaultStorageGuard guard;
    set_context_storage(std::make_unique<CountingStorage>(counters));
    const Context context = make_context(11, 110);
    {
      Scope scope(context);
      EXPECT_GE(counters->exchanges.load(), 1);
      EXPECT_EQ(current_context(), context);
      EXPECT_GE(counters->gets.load(), 1);
      // The custom storage is process-wide, so another thread sees the same context.
      EXPECT_EQ(context_on_new_thread(), context);
    }
    EXPECT_EQ(counters->exchanges.load(), 2) << "the scope's end restores through the storage";
    EXPECT_EQ(current_context(), Context());
  }
  // Back to the default thread-local storage: the custom one is no longer consulted.
  const int gets_before = counters->gets.load();
  const int exchanges_before = counters->exchanges.load();
  const Context context = make_context(12, 120);
  {
    Scope scope(context);
    EXPECT_EQ(current_context(), context);
    EXPECT_EQ(context_on_new_thread(), Context()) << "default storage is per thread";
  }
  EXPECT_EQ(current_context(), Context());
  EXPECT_EQ(counters->gets.load(), gets_before);
  EXPECT_EQ(counters->exchanges.load(), exchanges_before);
}

TEST(ContextStorage, AScopeOpenWhenTheStorageIsReplacedRestoresIntoItsOwnStorage) {
  auto first_counters = std::make_shared<StorageCounters>();
  auto second_counters = std::make_shared<StorageCounters>();
  DefaultStorageGuard guard;
  set_context_storage(std::make_unique<CountingStorage>(first_counters));
  {
    Scope scope(make_context(13, 130));
    set_context_storage(std::make_unique<CountingStorage>(second_counters));
  }
  EXPECT_EQ(first_counters->exchanges.load(), 2) << "set and restored in the first storage";
  EXPECT_EQ(second_counters->exchanges.load(), 0) << "the new storage is left untouched";
  EXPECT_EQ(current_context(), Context());
}

}  // namespace
}  // namespace tracemesh
