// The per-thread id generator: xoshiro256** seeded from the OS, reseeded after fork.
//
// Each thread owns its generator state, so generating an id takes no lock.
// A fork() copies the parent's thread-local state into the child; the
// pthread_atfork child handler bumps a process-wide generation so that every
// generator notices on its next use and reseeds from fresh entropy.
#include <pthread.h>
#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include "tracemesh/ids.h"

namespace tracemesh {
namespace {

std::atomic<std::uint64_t> fork_generation{0};

void on_fork_child() noexcept {
  fork_generation.fetch_add(1, std::memory_order_relaxed);
}

bool register_fork_handler() noexcept {
  return pthread_atfork(nullptr, nullptr, &on_fork_child) == 0;
}

std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t rotate_left(std::uint64_t x, int k) noexcept {
  return (x << k) | (x >> (64 - k));
}

class Xoshiro256 {
 public:
  std::uint64_t next() noexcept {
    const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotate_left(state_[3], 45);
    return result;
  }

  void seed() noexcept {
    std::uint64_t entropy[4] = {};
    // getrandom() may fail (old kernel, seccomp); mix in what varies regardless.
    if (getrandom(entropy, sizeof(entropy), GRND_NONBLOCK) != sizeof(entropy)) {
      entropy[0] ^= static_cast<std::uint64_t>(
          std::chrono::high_resolution_clock::now().time_since_epoch().count());
    }
    std::uint64_t mix = entropy[0] ^ (static_cast<std::uint64_t>(getpid()) << 32) ^
                        std::hash<std::thread::id>{}(std::this_thread::get_id()) ^
                        reinterpret_cast<std::uintptr_t>(this);
    for (int i = 0; i < 4; ++i) state_[i] = entropy[i] ^ splitmix64(mix);
  }

 private:
  std::uint64_t state_[4] = {};
};

struct ThreadGenerator {
  Xoshiro256 engine;
  std::uint64_t generation = ~std::uint64_t{0};
};

}  // namespace

std::uint64_t random_uint64() noexcept {
  static const bool fork_handler_registered = register_fork_handler();
  (void)fork_handler_registered;
  // initial-exec: a direct thread-pointer access, not a __tls_get_addr call,
  // even though the library is built position-independent.
  thread_local ThreadGenerator generator __attribute__((tls_model("initial-exec")));
  const std::uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (generator.generation != generation) {
    generator.engine.seed();
    generator.generation = generation;
  }
  return generator.engine.next();
}

}  // namespace tracemesh
