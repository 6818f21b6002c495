// How dense a folder's Python source is, as tree-sitter sees it: the
// measures the audit benchmark's generator is calibrated on
// (docs/benchmarks.md, "Audit throughput"). Parsing cost follows tokens and
// nodes, not bytes, so a corpus of a given size can be twice as costly as
// another: these figures say whether a generated repository is as dense as
// real service code.
//
// Usage: python_density FOLDER...   (one line per folder; every *.py under it)
// Prints: files, MB, lines, bytes per line, tokens (leaves) per KB, named and
// all nodes per KB, and the share of bytes in comments and in string literals
// (docstrings included).
#include <tree_sitter/api.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include "python_sources.h"

extern "C" const TSLanguage* tree_sitter_python();

namespace {

struct Density {
  std::size_t files = 0, bytes = 0, lines = 0;
  std::size_t tokens = 0, named = 0, nodes = 0, comment_bytes = 0, string_bytes = 0;
};

void count_tree(TSNode root, Density& density) {
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (;;) {
    const TSNode node = ts_tree_cursor_current_node(&cursor);
    ++density.nodes;
    if (ts_node_is_named(node)) ++density.named;
    const char* type = ts_node_type(node);
    const std::uint32_t size = ts_node_end_byte(node) - ts_node_start_byte(node);
    const bool is_string = std::strcmp(type, "string") == 0;
    if (std::strcmp(type, "comment") == 0) density.comment_bytes += size;
    if (is_string) density.string_bytes += size;  // not descended: nested strings count once
    if (ts_node_child_count(node) == 0) ++density.tokens;
    if (!is_string && ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return;
      }
    }
  }
}

bool measure(const std::filesystem::path& folder, Density& density) {
  TSParser* parser = ts_parser_new();
  ts_parser_set_language(parser, tree_sitter_python());
  std::error_code error;
  for (const std::string& source : tracemesh::bench::read_python_sources(folder, error)) {
    ++density.files;
    density.bytes += source.size();
    for (const char c : source) density.lines += c == '\n' ? 1 : 0;
    TSTree* tree = ts_parser_parse_string(parser, nullptr, source.data(),
                                          static_cast<uint32_t>(source.size()));
    count_tree(ts_tree_root_node(tree), density);
    ts_tree_delete(tree);
  }
  ts_parser_delete(parser);
  if (error)
    std::fprintf(stderr, "python_density: %s: %s\n", folder.c_str(), error.message().c_str());
  return !error;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::fprintf(argc < 2 ? stderr : stdout, "usage: python_density FOLDER...\n");
    return argc < 2 ? 2 : 0;
  }
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    Density d;
    if (!measure(argv[i], d)) status = 1;
    if (d.bytes == 0) {
      std::printf("%s: no Python source\n", argv[i]);
      continue;
    }
    const double kb = static_cast<double>(d.bytes) / 1000.0;
    const double per_cent = 100.0 / static_cast<double>(d.bytes);
    std::printf(
        "%s: %zu files, %.2f MB, %zu lines, %.1f B/line, %.1f tokens/KB, %.1f named/KB, "
        "%.1f nodes/KB, comments %.1f %%, strings %.1f %%\n",
        argv[i], d.files, static_cast<double>(d.bytes) / 1e6, d.lines,
        static_cast<double>(d.bytes) / static_cast<double>(d.lines == 0 ? 1 : d.lines),
        static_cast<double>(d.tokens) / kb, static_cast<double>(d.named) / kb,
        static_cast<double>(d.nodes) / kb, static_cast<double>(d.comment_bytes) * per_cent,
        static_cast<double>(d.string_bytes) * per_cent);
  }
  return status;
}
