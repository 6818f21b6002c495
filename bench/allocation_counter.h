// Counts heap allocations made by the benchmarked code (replaces global operator new).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

namespace tracemesh::bench {

// Return the number of operator new calls made so far in this process.
std::uint64_t allocation_count() noexcept;

// Measures allocations over a benchmark's timed loop and reports "allocs/op".
class AllocationReport {
 public:
  explicit AllocationReport(benchmark::State& state) : state_(state), start_(allocation_count()) {}
  ~AllocationReport() {
    const auto total = static_cast<double>(allocation_count() - start_);
    state_.counters["allocs/op"] =
        benchmark::Counter(total / static_cast<double>(state_.iterations()));
  }
  AllocationReport(const AllocationReport&) = delete;
  AllocationReport& operator=(const AllocationReport&) = delete;

 private:
  benchmark::State& state_;
  std::uint64_t start_;
};

}  // namespace tracemesh::bench
