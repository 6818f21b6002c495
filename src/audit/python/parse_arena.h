// Memory for one file's parse. tree-sitter allocates every subtree, stack
// node and buffer on its own and frees them one by one; the audit keeps
// only facts, never trees. While a ParseArena is open on a thread, that
// thread's tree-sitter allocations come from one bump allocator, frees are
// no-ops, and everything is released together when the arena closes: a
// tree can then be dropped instead of deleted node by node.
//
// tree-sitter's allocator is process-wide (ts_set_allocator): install()
// sets one that serves the calling thread's open arena, if any, and malloc
// otherwise, so tree-sitter objects made outside an arena work as before,
// whether made before or after install(). Under AddressSanitizer the arena's
// memory is poisoned except for the blocks handed out, so a tree used after
// its arena closed is still caught. Rules while an arena is open on a thread:
//  - tree-sitter objects made before it opened are not used on that thread
//    (they would grow into memory the arena takes back);
//  - objects made while it is open do not outlive it: when
//    holds_everything() is true they may simply be dropped, otherwise they
//    are deleted as usual before it closes (their frees then return what
//    came from malloc). A parser is always deleted: a grammar's external
//    scanner allocates its state with plain malloc, outside the arena.
#pragma once

#include <cstddef>
#include <vector>

namespace tracemesh::audit {

class ParseArena {
 public:
  // tree-sitter's allocations beyond this fall back to malloc (and
  // holds_everything() turns false). tree-sitter allocates 20-100 times the source's size while
  // parsing it, so callers open an arena only for sources up to
  // max_bytes / 100.
  static constexpr std::size_t default_max_bytes = std::size_t{128} << 20;

  // Installs the allocator; idempotent and thread-safe (the constructor
  // calls it). ts_set_allocator writes plain globals: the first call must not
  // race with tree-sitter running on a thread that has not called it.
  static void install();
  // Whether an arena is open on the calling thread.
  static bool open_on_this_thread() noexcept;

  // Opens an arena on the calling thread; at most one per thread at a time
  // (std::logic_error otherwise).
  explicit ParseArena(std::size_t max_bytes = default_max_bytes);
  ~ParseArena();
  ParseArena(const ParseArena&) = delete;
  ParseArena& operator=(const ParseArena&) = delete;

  // Whether every tree-sitter allocation since opening came from the arena:
  // then nothing made meanwhile needs deleting.
  bool holds_everything() const noexcept { return !fell_back_; }
  // Bytes handed out since opening, headers included.
  std::size_t used_bytes() const noexcept { return used_; }
  // Whether `pointer` was handed out by this arena.
  bool owns(const void* pointer) const noexcept;

  // Internals, public for the allocator hooks and the tests. allocate() and
  // reallocate() (of an owned pointer) return nullptr when the arena is
  // full; the hook then takes the memory from malloc and calls fall_back().
  void* allocate(std::size_t size) noexcept;
  void* reallocate(void* pointer, std::size_t size) noexcept;
  static std::size_t size_of(const void* owned) noexcept;
  void fall_back() noexcept { fell_back_ = true; }

 private:
  struct Chunk {
    char* begin;
    std::size_t size;
  };
  bool grow(std::size_t size) noexcept;

  std::size_t max_bytes_;
  std::vector<Chunk> chunks_;  // the first is kept for the thread's next arena
  std::size_t chunk_bytes_ = 0;
  char* next_ = nullptr;
  char* end_ = nullptr;
  char* last_ = nullptr;  // the latest allocation, which can grow in place
  std::size_t used_ = 0;
  bool fell_back_ = false;
};

}  // namespace tracemesh::audit
