#include "audit/python/parse_arena.h"

#include <gtest/gtest.h>
#include <tree_sitter/api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "audit/python/grammar.h"
#include "audit/python/parser.h"

namespace tracemesh::audit {
namespace {

std::string sample_source(int functions) {
  std::string source = "import httpx\n";
  for (int i = 0; i < functions; ++i) {
    const std::string n = std::to_string(i);
    source += "\nasync def fetch_" + n +
              "(client, item_id):\n    headers = {\"X-Trace-ID\": tid}\n" +
              "    return await client.get(f\"/items/{item_id}/" + n + "\", headers=headers)\n";
  }
  return source;
}

// The tree as an S-expression, and the memory it used, when parsed inside an
// arena (`arena_bytes` > 0) or outside one.
struct Parsed {
  std::string tree;
  bool held_everything = false;
  std::size_t arena_bytes_used = 0;
};

Parsed parse(const std::string& source, std::size_t arena_bytes) {
  ParseArena::install();
  Parsed parsed;
  const auto run = [&](const ParseArena* arena) {
    TSParser* parser = ts_parser_new();
    ts_parser_set_language(parser, python_grammar().language);
    TSTree* tree = ts_parser_parse_string(parser, nullptr, source.data(),
                                          static_cast<std::uint32_t>(source.size()));
    char* text = ts_node_string(ts_tree_root_node(tree));
    parsed.tree = text;
    // ts_node_string's result is the caller's to free, unless the arena holds it.
    if (arena == nullptr || !arena->owns(text)) std::free(text);
    if (arena == nullptr || !arena->holds_everything()) ts_tree_delete(tree);
    ts_parser_delete(parser);  // its external scanner's state is from plain malloc
  };
  if (arena_bytes == 0) {
    run(nullptr);
  } else {
    const ParseArena arena(arena_bytes);
    run(&arena);
    parsed.held_everything = arena.holds_everything();
    parsed.arena_bytes_used = arena.used_bytes();
  }
  return parsed;
}

TEST(ParseArena, TreesParsedInsideAreTheTreesParsedOutside) {
  const std::string source = sample_source(20);
  const Parsed outside = parse(source, 0);
  const Parsed inside = parse(source, ParseArena::default_max_bytes);
  ASSERT_NE(outside.tree.find("(function_definition"), std::string::npos);
  EXPECT_EQ(inside.tree, outside.tree);
  EXPECT_TRUE(inside.held_everything);
  // tree-sitter allocates tens of times the source's size while parsing.
  EXPECT_GT(inside.arena_bytes_used, 10 * source.size());
}

TEST(ParseArena, ReusedMemoryLeavesNoTrace) {
  {
    ParseArena dirty;  // its first chunk is kept for the thread's next arena
    void* block = dirty.allocate(std::size_t{900} << 10);
    ASSERT_NE(block, nullptr);
    std::memset(block, 0xff, std::size_t{900} << 10);
  }
  const std::string source = sample_source(20);
  EXPECT_EQ(parse(source, ParseArena::default_max_bytes).tree, parse(source, 0).tree);
}

TEST(ParseArena, ServesOnlyTheThreadThatOpenedIt) {
  const std::string source = sample_source(20);
  const ParseArena arena;
  Parsed elsewhere;
  std::thread([&] { elsewhere = parse(source, 0); }).join();
  EXPECT_EQ(arena.used_bytes(), 0U);
  EXPECT_NE(elsewhere.tree.find("(function_definition"), std::string::npos);
}

TEST(ParseArena, WhatDoesNotFitComesFromMallocAndIsDeletedAsUsual) {
  const std::string source = sample_source(400);
  const Parsed outside = parse(source, 0);
  const Parsed small = parse(source, std::size_t{64} << 10);
  EXPECT_FALSE(small.held_everything);
  EXPECT_LE(small.arena_bytes_used, std::size_t{64} << 10);
  EXPECT_EQ(small.tree, outside.tree);  // and in ASan builds, no leak or bad free
}

TEST(ParseArena, AllocationsAreAlignedAndKeepTheirContentWhenTheyGrow) {
  ParseArena arena;
  char* first = static_cast<char*>(arena.allocate(10));
  ASSERT_NE(first, nullptr);
  std::memcpy(first, "abcdefghi", 10);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(first) % alignof(std::max_align_t), 0U);
  EXPECT_TRUE(arena.owns(first));
  EXPECT_EQ(ParseArena::size_of(first), 10U);
  // The latest allocation grows where it is ...
  char* grown = static_cast<char*>(arena.reallocate(first, 100));
  EXPECT_EQ(grown, first);
  EXPECT_EQ(ParseArena::size_of(grown), 100U);
  // ... an earlier one moves, keeping its content.
  char* second = static_cast<char*>(arena.allocate(8));
  ASSERT_NE(second, nullptr);
  char* moved = static_cast<char*>(arena.reallocate(grown, 5000));
  ASSERT_NE(moved, nullptr);
  EXPECT_NE(moved, grown);
  for (const char* block : {second, moved}) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(block) % alignof(std::max_align_t), 0U);
  }
  EXPECT_STREQ(moved, "abcdefghi");
  EXPECT_TRUE(arena.owns(moved));
  EXPECT_TRUE(arena.holds_everything());
}

TEST(ParseArena, RefusesWhatWouldPassItsLimit) {
  ParseArena arena(std::size_t{1} << 20);
  EXPECT_EQ(arena.allocate(std::size_t{2} << 20), nullptr);
  char* fits = static_cast<char*>(arena.allocate(1000));
  ASSERT_NE(fits, nullptr);
  std::memcpy(fits, "kept", 5);
  EXPECT_EQ(arena.reallocate(fits, std::size_t{4} << 20), nullptr);
  EXPECT_STREQ(fits, "kept");
  EXPECT_LE(arena.used_bytes(), std::size_t{1} << 20);
  // Called directly, a refusal is the caller's to handle: only tree-sitter's
  // allocator hooks fall back to malloc and mark the arena.
  EXPECT_TRUE(arena.holds_everything());
}

TEST(ParseArena, OnlyOneIsOpenPerThread) {
  const ParseArena arena;
  EXPECT_THROW(ParseArena{}, std::logic_error);
  void* outside = std::malloc(16);
  EXPECT_FALSE(arena.owns(outside));
  std::free(outside);
}

std::size_t function_count(const std::string& source) {
  auto module = parse_python("m.py", source);
  return module ? module->functions.size() : 0;
}

TEST(ParseArena, ParsePythonWorksWithAnArenaAlreadyOpenAndForLargeFiles) {
  {
    const ParseArena outer;  // parse_python then uses malloc instead of an arena of its own
    EXPECT_EQ(function_count(sample_source(30)), 30U);
  }
  // Over 1.28 MiB: parsed with malloc, the tree deleted as usual.
  const std::string large = sample_source(10000);
  ASSERT_GT(large.size(), ParseArena::default_max_bytes / 100);
  EXPECT_EQ(function_count(large), 10000U);
}

}  // namespace
}  // namespace tracemesh::audit
