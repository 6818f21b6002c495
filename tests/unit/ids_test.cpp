// TraceId and SpanId: hex parsing (either case in, lowercase out), the
// all-zero invalid value, halves, and random generation including after fork().
#include "tracemesh/ids.h"
#include "support/spec_rows.h"

#include <gtest/gtest.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <limits>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace tracemesh {
namespace {

using spec::CodeText;
using spec::RowName;

// One row of a from_hex table: either the lowercase hex the id must print as,
// or the error code the parse must fail with.
struct HexRow {
  std::string_view name = "";
  std::string input{};
  bool ok = false;
  std::string hex{};                            // when ok
  ErrorCode error = ErrorCode::missing_header;  // when !ok
  friend void PrintTo(const HexRow& row, std::ostream* os) { *os << row.name; }
};

// --- TraceId::from_hex -----------------------------------------------------

// Check Id::from_hex against one row: the error code, or the printed form
// (both to_hex overloads) and a round trip through it.
template <typename Id>
void CheckFromHex(const HexRow& row) {
  const Expected<Id> id = Id::from_hex(row.input);
  if (!row.ok) {
    ASSERT_FALSE(id.has_value()) << "accepted: " << id->to_hex();
    EXPECT_EQ(id.error().code, row.error) << "got " << CodeText(id.error().code);
    return;
  }
  ASSERT_TRUE(id.has_value()) << "rejected with " << CodeText(id.error().code);
  EXPECT_TRUE(id->is_valid());
  EXPECT_EQ(id->to_hex(), row.hex);
  std::array<char, Id::hex_size> buffer{};
  id->to_hex(buffer.data());
  EXPECT_EQ(std::string_view(buffer.data(), buffer.size()), row.hex);
  const Expected<Id> again = Id::from_hex(id->to_hex());
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, *id);
}

class TraceIdFromHexTest : public testing::TestWithParam<HexRow> {};

TEST_P(TraceIdFromHexTest, ParsesPerRow) {
  CheckFromHex<TraceId>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TraceIdFromHexTest,
    testing::ValuesIn(std::vector<HexRow>{
        {.name = "lowercase",
         .input = "4bf92f3577b34da6a3ce929d0e0e4736",
         .ok = true,
         .hex = "4bf92f3577b34da6a3ce929d0e0e4736"},
        {.name = "uppercase_accepted_printed_lowercase",
         .input = "4BF92F3577B34DA6A3CE929D0E0E4736",
         .ok = true,
         .hex = "4bf92f3577b34da6a3ce929d0e0e4736"},
        {.name = "mixed_case",
         .input = "4bF92f3577B34dA6a3Ce929D0e0E4736",
         .ok = true,
         .hex = "4bf92f3577b34da6a3ce929d0e0e4736"},
        {.name = "all_digits",
         .input = "12345678901234567890123456789012",
         .ok = true,
         .hex = "12345678901234567890123456789012"},
        {.name = "all_f",
         .input = "ffffffffffffffffffffffffffffffff",
         .ok = true,
         .hex = "ffffffffffffffffffffffffffffffff"},
        {.name = "lowest_bit_only",
         .input = "00000000000000000000000000000001",
         .ok = true,
         .hex = "00000000000000000000000000000001"},
        {.name = "highest_bit_only",
         .input = "80000000000000000000000000000000",
         .ok = true,
         .hex = "80000000000000000000000000000000"},
        {.name = "empty_bad_length", .input = "", .error = ErrorCode::bad_length},
        {.name = "31_digits_bad_length",
         .input = "4bf92f3577b34da6a3ce929d0e0e473",
         .error = ErrorCode::bad_length},
        {.name = "33_digits_bad_length",
         .input = "4bf92f3577b34da6a3ce929d0e0e47360",
         .error = ErrorCode::bad_length},
        {.name = "16_digits_bad_length",
         .input = "4bf92f3577b34da6",
         .error = ErrorCode::bad_length},
        {.name = "uuid_form_bad_length",
         .input = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736",
         .error = ErrorCode::bad_length},
        {.name = "g_bad_character",
         .input = "4bf92f3577b34da6a3ce929d0e0e473g",
         .error = ErrorCode::bad_character},
        {.name = "leading_g_bad_character",
         .input = "g bf92f3577b34da6a3ce929d0e0e473",
         .error = ErrorCode::bad_character},
        {.name = "dash_inside_bad_character",
         .input = "4bf92f35-7b34da6a3ce929d0e0e4736",
         .error = ErrorCode::bad_character},
        {.name = "space_bad_character",
         .input = " bf92f3577b34da6a3ce929d0e0e4736",
         .error = ErrorCode::bad_character},
        {.name = "colon_after_9_bad_character",  // ':' follows '9' in ASCII
         .input = "4bf92f3577b34da6a3ce929d0e0e473:",
         .error = ErrorCode::bad_character},
        {.name = "at_before_A_bad_character",  // '@' precedes 'A' in ASCII
         .input = "@bf92f3577b34da6a3ce929d0e0e4736",
         .error = ErrorCode::bad_character},
        {.name = "non_ascii_bad_character",
         .input = "4bf92f3577b34da6a3ce929d0e0e473\xff",
         .error = ErrorCode::bad_character},
        {.name = "all_zero_zero_trace_id",
         .input = "00000000000000000000000000000000",
         .error = ErrorCode::zero_trace_id},
    }),
    RowName<HexRow>);

// --- SpanId::from_hex ------------------------------------------------------

class SpanIdFromHexTest : public testing::TestWithParam<HexRow> {};

TEST_P(SpanIdFromHexTest, ParsesPerRow) {
  CheckFromHex<SpanId>(GetParam());
}

INSTANTIATE_TEST_SUITE_P(
    Rows, SpanIdFromHexTest,
    testing::ValuesIn(std::vector<HexRow>{
        {.name = "lowercase", .input = "00f067aa0ba902b7", .ok = true, .hex = "00f067aa0ba902b7"},
        {.name = "uppercase_accepted_printed_lowercase",
         .input = "00F067AA0BA902B7",
         .ok = true,
         .hex = "00f067aa0ba902b7"},
        {.name = "mixed_case", .input = "00f067Aa0bA902b7", .ok = true, .hex = "00f067aa0ba902b7"},
        {.name = "all_f", .input = "ffffffffffffffff", .ok = true, .hex = "ffffffffffffffff"},
        {.name = "lowest_bit_only",
         .input = "0000000000000001",
         .ok = true,
         .hex = "0000000000000001"},
        {.name = "empty_bad_length", .input = "", .error = ErrorCode::bad_length},
        {.name = "15_digits_bad_length",
         .input = "00f067aa0ba902b",
         .error = ErrorCode::bad_length},
        {.name = "17_digits_bad_length",
         .input = "00f067aa0ba902b70",
         .error = ErrorCode::bad_length},
        {.name = "32_digits_bad_length",
         .input = "4bf92f3577b34da6a3ce929d0e0e4736",
         .error = ErrorCode::bad_length},
        {.name = "g_bad_character", .input = "00f067aa0ba902bg", .error = ErrorCode::bad_character},
        {.name = "dot_bad_character",
         .input = ".0f067aa0ba902b7",
         .error = ErrorCode::bad_character},
        {.name = "space_bad_character",
         .input = "00f067aa0ba902b ",
         .error = ErrorCode::bad_character},
        {.name = "all_zero_zero_span_id",
         .input = "0000000000000000",
         .error = ErrorCode::zero_span_id},
    }),
    RowName<HexRow>);

TEST(IdsTest, DefaultIdsAreZeroAndInvalid) {
  EXPECT_FALSE(TraceId{}.is_valid());
  EXPECT_FALSE(SpanId{}.is_valid());
  EXPECT_EQ(TraceId{}.to_hex(), std::string(32, '0'));
  EXPECT_EQ(SpanId{}.to_hex(), std::string(16, '0'));
}

// --- halves and 64-bit values ----------------------------------------------

struct HalvesRow {
  std::string_view name = "";
  std::string hex{};
  std::uint64_t high = 0;
  std::uint64_t low = 0;
  friend void PrintTo(const HalvesRow& row, std::ostream* os) { *os << row.name; }
};

class TraceIdHalvesTest : public testing::TestWithParam<HalvesRow> {};

TEST_P(TraceIdHalvesTest, HalvesAreBigEndian) {
  const HalvesRow& row = GetParam();
  EXPECT_EQ(TraceId::from_halves(row.high, row.low).to_hex(), row.hex);
  const Expected<TraceId> id = TraceId::from_hex(row.hex);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->high(), row.high);
  EXPECT_EQ(id->low(), row.low);
  EXPECT_EQ(TraceId::from_halves(row.high, row.low), *id);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, TraceIdHalvesTest,
    testing::ValuesIn(std::vector<HalvesRow>{
        {.name = "byte_sequence",
         .hex = "0102030405060708090a0b0c0d0e0f10",
         .high = 0x0102030405060708u,
         .low = 0x090a0b0c0d0e0f10u},
        {.name = "low_half_only_is_left_padded",
         .hex = "00000000000000000000000000000001",
         .high = 0,
         .low = 1},
        {.name = "high_half_only", .hex = "00000000000000010000000000000000", .high = 1, .low = 0},
        {.name = "all_ones",
         .hex = "ffffffffffffffffffffffffffffffff",
         .high = std::numeric_limits<std::uint64_t>::max(),
         .low = std::numeric_limits<std::uint64_t>::max()},
        {.name = "w3c_example",
         .hex = "4bf92f3577b34da6a3ce929d0e0e4736",
         .high = 0x4bf92f3577b34da6u,
         .low = 0xa3ce929d0e0e4736u},
    }),
    RowName<HalvesRow>);

TEST(TraceIdHalvesTest, BytesAreStoredBigEndian) {
  const TraceId id = TraceId::from_halves(0x0102030405060708u, 0x090a0b0c0d0e0f10u);
  for (std::size_t i = 0; i < id.bytes.size(); ++i) {
    EXPECT_EQ(id.bytes[i], static_cast<std::uint8_t>(i + 1)) << "byte " << i;
  }
}

struct Uint64Row {
  std::string_view name = "";
  std::string hex{};
  std::uint64_t value = 0;
  friend void PrintTo(const Uint64Row& row, std::ostream* os) { *os << row.name; }
};

class SpanIdUint64Test : public testing::TestWithParam<Uint64Row> {};

TEST_P(SpanIdUint64Test, ValueIsBigEndian) {
  const Uint64Row& row = GetParam();
  EXPECT_EQ(SpanId::from_uint64(row.value).to_hex(), row.hex);
  const Expected<SpanId> id = SpanId::from_hex(row.hex);
  ASSERT_TRUE(id.has_value());
  EXPECT_EQ(id->to_uint64(), row.value);
}

INSTANTIATE_TEST_SUITE_P(
    Rows, SpanIdUint64Test,
    testing::ValuesIn(std::vector<Uint64Row>{
        {.name = "byte_sequence", .hex = "0102030405060708", .value = 0x0102030405060708u},
        {.name = "one", .hex = "0000000000000001", .value = 1},
        {.name = "top_bit", .hex = "8000000000000000", .value = 0x8000000000000000u},
        {.name = "all_ones",
         .hex = "ffffffffffffffff",
         .value = std::numeric_limits<std::uint64_t>::max()},
    }),
    RowName<Uint64Row>);

TEST(SpanIdUint64Test, BytesAreStoredBigEndian) {
  const SpanId id = SpanId::from_uint64(0x0102030405060708u);
  for (std::size_t i = 0; i < id.bytes.size(); ++i) {
    EXPECT_EQ(id.bytes[i], static_cast<std::uint8_t>(i + 1)) << "byte " << i;
  }
}

// --- random ids ------------------------------------------------------------

constexpr int kRandomSamples = 10000;

TEST(RandomIdsTest, TraceIdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < kRandomSamples; ++i) {
    const TraceId id = TraceId::random();
    ASSERT_TRUE(id.is_valid());
    EXPECT_TRUE(seen.insert(id.to_hex()).second) << "repeated " << id.to_hex();
  }
}

TEST(RandomIdsTest, SpanIdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < kRandomSamples; ++i) {
    const SpanId id = SpanId::random();
    ASSERT_TRUE(id.is_valid());
    EXPECT_TRUE(seen.insert(id.to_hex()).second) << "repeated " << id.to_hex();
  }
}

TEST(RandomIdsTest, TraceIdHalvesDiffer) {
  // Both halves come from the generator: a trace id is not a 64-bit id padded.
  int equal_halves = 0;
  int zero_high = 0;
  for (int i = 0; i < 1000; ++i) {
    const TraceId id = TraceId::random();
    if (id.high() == id.low()) ++equal_halves;
    if (id.high() == 0) ++zero_high;
  }
  EXPECT_EQ(equal_halves, 0);
  EXPECT_EQ(zero_high, 0);
}

TEST(RandomIdsTest, RandomUint64IsNotRepeated) {
  std::set<std::uint64_t> seen;
  for (int i = 0; i < kRandomSamples; ++i) {
    EXPECT_TRUE(seen.insert(random_uint64()).second);
  }
}

TEST(RandomIdsTest, ThreadsDoNotShareASequence) {
  constexpr int per_thread = 1000;
  std::vector<std::string> first;
  std::vector<std::string> second;
  std::thread a([&first] {
    for (int i = 0; i < per_thread; ++i) first.push_back(TraceId::random().to_hex());
  });
  std::thread b([&second] {
    for (int i = 0; i < per_thread; ++i) second.push_back(TraceId::random().to_hex());
  });
  a.join();
  b.join();
  std::set<std::string> all(first.begin(), first.end());
  all.insert(second.begin(), second.end());
  EXPECT_EQ(all.size(), 2u * per_thread);
}

// Run `count` forked children that each report their first TraceId and SpanId.
std::vector<std::string> IdsFromForkedChildren(int count) {
  std::vector<std::string> results;
  for (int child = 0; child < count; ++child) {
    std::array<int, 2> fds{};
    if (pipe(fds.data()) != 0) {
      ADD_FAILURE() << "pipe failed";
      return results;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork failed";
      return results;
    }
    if (pid == 0) {
      close(fds[0]);
      const std::string out = TraceId::random().to_hex() + SpanId::random().to_hex();
      const ssize_t written = write(fds[1], out.data(), out.size());
      _exit(written == static_cast<ssize_t>(out.size()) ? 0 : 1);
    }
    close(fds[1]);
    std::string received;
    std::array<char, 64> buffer{};
    for (;;) {
      const ssize_t n = read(fds[0], buffer.data(), buffer.size());
      if (n <= 0) break;
      received.append(buffer.data(), static_cast<std::size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child failed";
    results.push_back(received);
  }
  return results;
}

TEST(RandomIdsTest, ForkedChildDoesNotRepeatParentSequence) {
  // Seed this thread's generator before forking, as a long-running server would have.
  (void)TraceId::random();
  (void)SpanId::random();
  const std::vector<std::string> children = IdsFromForkedChildren(3);
  ASSERT_EQ(children.size(), 3u);
  const std::string parent_trace = TraceId::random().to_hex();
  const std::string parent_span = SpanId::random().to_hex();
  for (const std::string& child : children) {
    ASSERT_EQ(child.size(), TraceId::hex_size + SpanId::hex_size);
    EXPECT_NE(child.substr(0, TraceId::hex_size), parent_trace)
        << "child reproduced the parent's next trace id: generator not reseeded after fork";
    EXPECT_NE(child.substr(TraceId::hex_size), parent_span)
        << "child reproduced the parent's next span id: generator not reseeded after fork";
  }
  // Children forked from the same parent state must not share a sequence either.
  EXPECT_NE(children[0], children[1]);
  EXPECT_NE(children[1], children[2]);
  EXPECT_NE(children[0], children[2]);
}

}  // namespace
}  // namespace tracemesh
