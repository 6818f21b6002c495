// The audit's parts on one generated router module (bench/generate_audit_repo.py
// writes 5,000 of them): tree-sitter parsing alone, then fact extraction on
// top. With AUDIT_BENCH_REPO set to a generated repository (scripts/bench-audit
// writes /tmp/tracemesh-audit-bench-realistic or -dense), also its every file parsed on
// two threads, alone and with extraction: the floor under the audit's
// end-to-end time on this machine.
// End-to-end figures come from scripts/bench-audit.
//
// Last run (2026-11-23, later session, on the dense repository; 2 cores, this
// VM's speed varies by up to 1.4x; Google Benchmark's bytes_per_second is MiB/s,
// MB/s below are 10^6 bytes; the realistic repository: docs/benchmarks.md):
//   BM_TreeSitterParse                      6.8 MiB/s
//   BM_ParsePythonFacts                     5.2 MiB/s (parse_python: arena, facts)
//   BM_ParseRepository/tree_sitter/2        2.31 s  (14.4 MB/s)
//   BM_ParseRepository/facts/2              2.83-3.27 s  (10.2-11.7 MB/s)
#include <benchmark/benchmark.h>
#include <tree_sitter/api.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "audit/python/parser.h"
#include "python_sources.h"

extern "C" const TSLanguage* tree_sitter_python();

namespace {

std::string module_source() {
  std::string source =
      "import json\nimport httpx\nfrom fastapi import APIRouter\n"
      "router = APIRouter(prefix=\"/m\")\n";
  for (int i = 0; i < 6; ++i) {
    source += "\n@router.get(\"/items" + std::to_string(i) + "/{item_id}\")\nasync def handler_" +
              std::to_string(i) +
              "(item_id: str, trace_id: str | None = None):\n    headers = {}\n    if trace_id:\n"
              "        headers[\"X-Trace-ID\"] = trace_id\n    values = [v * 3 for v in "
              "range(16) if v % 3]\n    summary = {\"id\": item_id, \"values\": values}\n"
              "    response = httpx.get(f\"{PEER}/items/{item_id}\", headers=headers)\n"
              "    return summary\n";
  }
  for (int i = 0; i < 6; ++i) {
    source += "\nclass Model" + std::to_string(i) +
              ":\n    def __init__(self, name: str, size: int = 3) -> None:\n        self.name = "
              "name\n        self.items = []\n\n    def add(self, item) -> None:\n        if item "
              "is None:\n            raise ValueError(\"no item\")\n        "
              "self.items.append(item)\n\n    def to_json(self) -> str:\n        return "
              "json.dumps({\"name\": self.name, \"items\": self.items})\n";
  }
  return source;
}

void BM_TreeSitterParse(benchmark::State& state) {
  const std::string source = module_source();
  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_python());
  for (auto _ : state) {
    TSTree* tree = ts_parser_parse_string(parser, nullptr, source.data(),
                                          static_cast<std::uint32_t>(source.size()));
    benchmark::DoNotOptimize(tree);
    ts_tree_delete(tree);
  }
  ts_parser_delete(parser);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(source.size()));
}
BENCHMARK(BM_TreeSitterParse);

void BM_ParsePythonFacts(benchmark::State& state) {
  const std::string source = module_source();
  for (auto _ : state) {
    auto module = tracemesh::audit::parse_python("m.py", source);
    benchmark::DoNotOptimize(module);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(source.size()));
}
BENCHMARK(BM_ParsePythonFacts);

// Every .py file under AUDIT_BENCH_REPO, read once.
const std::vector<std::string>& repository_sources() {
  static const std::vector<std::string> sources = [] {
    const char* root = std::getenv("AUDIT_BENCH_REPO");
    if (root == nullptr || !std::filesystem::is_directory(root)) return std::vector<std::string>{};
    std::error_code error;
    std::vector<std::string> read = tracemesh::bench::read_python_sources(root, error);
    if (error) std::fprintf(stderr, "AUDIT_BENCH_REPO: %s\n", error.message().c_str());
    return read;
  }();
  return sources;
}

// The repository's files parsed by `threads` threads, each taking the next
// file: with tree-sitter alone (one parser per thread, malloc), or into the
// audit's facts (parse_python: a parser and a ParseArena per file).
void BM_ParseRepository(benchmark::State& state, bool facts) {
  const std::vector<std::string>& sources = repository_sources();
  if (sources.empty()) {
    state.SkipWithError("set AUDIT_BENCH_REPO to a generated repository (scripts/bench-audit)");
    return;
  }
  std::int64_t bytes = 0;
  for (const std::string& source : sources) bytes += static_cast<std::int64_t>(source.size());
  const auto threads = static_cast<unsigned>(state.range(0));
  for (auto _ : state) {
    std::atomic<std::size_t> next{0};
    const auto work = [&] {
      TSParser* parser = facts ? nullptr : ts_parser_new();  // parse_python makes its own
      if (parser != nullptr) ts_parser_set_language(parser, tree_sitter_python());
      for (std::size_t i = next++; i < sources.size(); i = next++) {
        const std::string& source = sources[i];
        if (facts) {
          auto module = tracemesh::audit::parse_python("m.py", source);
          benchmark::DoNotOptimize(module);
        } else {
          TSTree* tree = ts_parser_parse_string(parser, nullptr, source.data(),
                                                static_cast<std::uint32_t>(source.size()));
          benchmark::DoNotOptimize(tree);
          ts_tree_delete(tree);
        }
      }
      if (parser != nullptr) ts_parser_delete(parser);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(work);
    for (std::thread& thread : pool) thread.join();
  }
  state.SetBytesProcessed(state.iterations() * bytes);
}
BENCHMARK_CAPTURE(BM_ParseRepository, tree_sitter, false)
    ->Arg(2)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ParseRepository, facts, true)
    ->Arg(2)
    ->Iterations(3)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
