#include "audit/python/parse_arena.h"

#include <tree_sitter/api.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define TRACEMESH_POISON(begin, size) ASAN_POISON_MEMORY_REGION(begin, size)
#define TRACEMESH_UNPOISON(begin, size) ASAN_UNPOISON_MEMORY_REGION(begin, size)
#else
#define TRACEMESH_POISON(begin, size) ((void)(begin), (void)(size))
#define TRACEMESH_UNPOISON(begin, size) ((void)(begin), (void)(size))
#endif

namespace tracemesh::audit {
namespace {

constexpr std::size_t alignment = alignof(std::max_align_t);
constexpr std::size_t header = alignment;  // holds the allocation's size
constexpr std::size_t first_chunk = std::size_t{1} << 20;
constexpr std::size_t largest_chunk = std::size_t{32} << 20;

thread_local ParseArena* open_arena = nullptr;

// The thread's first chunk, kept between arenas: most files need no other.
// Plain thread_locals stay usable while the thread ends; the chunk is freed
// by keep_spare's releaser, after which no chunk is kept.
thread_local char* spare = nullptr;
thread_local bool spare_released = false;

struct SpareReleaser {
  SpareReleaser() = default;
  SpareReleaser(const SpareReleaser&) = delete;
  SpareReleaser& operator=(const SpareReleaser&) = delete;
  ~SpareReleaser() {
    if (spare != nullptr) TRACEMESH_UNPOISON(spare, first_chunk);
    std::free(spare);
    spare = nullptr;
    spare_released = true;
  }
};

// Whether `chunk` was kept as the thread's spare (else the caller frees it).
bool keep_spare(char* chunk) {
  if (spare != nullptr || spare_released) return false;
  thread_local const SpareReleaser releaser;  // frees the spare when the thread ends
  (void)releaser;
  spare = chunk;
  return true;
}

std::size_t rounded(std::size_t size) noexcept {
  return (size + alignment - 1) & ~(alignment - 1);
}

// tree-sitter's own default allocator aborts when memory runs out; so do these.
[[noreturn]] void out_of_memory(std::size_t size) {
  std::fprintf(stderr, "tracemesh: failed to allocate %zu bytes while parsing\n", size);
  std::abort();
}

void* checked(void* pointer, std::size_t size) {
  if (pointer == nullptr && size > 0) out_of_memory(size);
  return pointer;
}

void* hook_malloc(std::size_t size) {
  if (ParseArena* arena = open_arena) {
    if (void* pointer = arena->allocate(size)) return pointer;
    arena->fall_back();
  }
  return checked(std::malloc(size), size);
}

void* hook_calloc(std::size_t count, std::size_t size) {
  if (ParseArena* arena = open_arena) {
    if (size != 0 && count > SIZE_MAX / size) out_of_memory(SIZE_MAX);
    if (void* pointer = arena->allocate(count * size)) return std::memset(pointer, 0, count * size);
    arena->fall_back();
  }
  return checked(std::calloc(count, size), count * size);
}

void* hook_realloc(void* pointer, std::size_t size) {
  if (pointer == nullptr) return hook_malloc(size);
  ParseArena* arena = open_arena;
  if (arena == nullptr || !arena->owns(pointer)) {
    return checked(std::realloc(pointer, size), size);
  }
  if (void* grown = arena->reallocate(pointer, size)) return grown;
  arena->fall_back();
  void* moved = checked(std::malloc(size), size);
  std::memcpy(moved, pointer, std::min(ParseArena::size_of(pointer), size));
  return moved;
}

void hook_free(void* pointer) {
  if (ParseArena* arena = open_arena; arena != nullptr && arena->owns(pointer)) return;
  std::free(pointer);
}

}  // namespace

void ParseArena::install() {
  static const bool installed = [] {
    ts_set_allocator(hook_malloc, hook_calloc, hook_realloc, hook_free);
    return true;
  }();
  (void)installed;
}

bool ParseArena::open_on_this_thread() noexcept {
  return open_arena != nullptr;
}

ParseArena::ParseArena(std::size_t max_bytes) : max_bytes_(max_bytes) {
  install();
  if (open_arena != nullptr) throw std::logic_error("a ParseArena is already open on this thread");
  if (spare != nullptr && first_chunk <= max_bytes_) {
    chunks_.push_back({spare, first_chunk});
    chunk_bytes_ = first_chunk;
    next_ = spare;
    end_ = spare + first_chunk;
    spare = nullptr;
  }
  open_arena = this;
}

ParseArena::~ParseArena() {
  open_arena = nullptr;
  for (const Chunk& chunk : chunks_) {
    TRACEMESH_POISON(chunk.begin, chunk.size);
    if (chunk.size != first_chunk || !keep_spare(chunk.begin)) {
      TRACEMESH_UNPOISON(chunk.begin, chunk.size);
      std::free(chunk.begin);
    }
  }
}

bool ParseArena::owns(const void* pointer) const noexcept {
  // Compared as addresses: the chunks are separate blocks.
  const auto address = reinterpret_cast<std::uintptr_t>(pointer);
  return std::any_of(chunks_.begin(), chunks_.end(), [&](const Chunk& chunk) {
    const auto begin = reinterpret_cast<std::uintptr_t>(chunk.begin);
    return address >= begin && address < begin + chunk.size;
  });
}

std::size_t ParseArena::size_of(const void* owned) noexcept {
  std::size_t size = 0;
  std::memcpy(&size, static_cast<const char*>(owned) - header, sizeof size);
  return size;
}

bool ParseArena::grow(std::size_t size) noexcept {
  if (chunk_bytes_ >= max_bytes_ || size > max_bytes_ - chunk_bytes_) return false;
  // Chunks double from 1 MiB up to 32 MiB, within what is left of the limit.
  const std::size_t nominal =
      std::min(largest_chunk, first_chunk << std::min<std::size_t>(chunks_.size(), 5));
  const std::size_t wanted = std::max(size, std::min(nominal, max_bytes_ - chunk_bytes_));
  char* begin = static_cast<char*>(std::malloc(wanted));
  if (begin == nullptr) return false;
  try {
    chunks_.push_back({begin, wanted});
  } catch (...) {  // no room to record it: the arena is full
    std::free(begin);
    return false;
  }
  TRACEMESH_POISON(begin, wanted);
  chunk_bytes_ += wanted;
  next_ = begin;
  end_ = begin + wanted;
  return true;
}

void* ParseArena::allocate(std::size_t size) noexcept {
  if (size > max_bytes_) return nullptr;
  const std::size_t needed = header + rounded(size);
  if (static_cast<std::size_t>(end_ - next_) < needed && !grow(needed)) return nullptr;
  char* block = next_ + header;
  TRACEMESH_UNPOISON(next_, needed);
  std::memcpy(next_, &size, sizeof size);
  next_ += needed;
  last_ = block;
  used_ += needed;
  return block;
}

void* ParseArena::reallocate(void* pointer, std::size_t size) noexcept {
  char* block = static_cast<char*>(pointer);
  const std::size_t old = size_of(block);
  if (block == last_ && size <= max_bytes_ &&
      static_cast<std::size_t>(end_ - block) >= rounded(size)) {
    // The latest allocation grows (or shrinks) where it is.
    TRACEMESH_UNPOISON(block, rounded(size));
    used_ = used_ - rounded(old) + rounded(size);
    next_ = block + rounded(size);
    std::memcpy(block - header, &size, sizeof size);
    return block;
  }
  void* moved = allocate(size);
  if (moved != nullptr) std::memcpy(moved, block, std::min(old, size));
  return moved;
}

}  // namespace tracemesh::audit
