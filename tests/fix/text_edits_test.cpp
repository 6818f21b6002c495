// Edits by byte range of the original text: applied together, insertions
// at one place kept in order, overlaps and out-of-range edits refused
// (the text untouched), line breaks matched to the file's.
#include "fix/text_edits.h"

#include <gtest/gtest.h>

namespace tracemesh::fix {
namespace {

TEST(TextEdits, RangesReferToTheOriginal) {
  std::string out;
  ASSERT_TRUE(apply_edits("abcdef", {{4, 5, "E"}, {1, 2, "BB"}}, out));
  EXPECT_EQ(out, "aBBcdEf");
}

TEST(TextEdits, InsertionsAtOnePlaceKeepTheirOrder) {
  std::string out;
  ASSERT_TRUE(apply_edits("ab", {{1, 1, "1"}, {1, 1, "2"}}, out));
  EXPECT_EQ(out, "a12b");
}

TEST(TextEdits, OverlappingEditsAreRefused) {
  std::string out = "untouched";
  EXPECT_FALSE(apply_edits("abcdef", {{1, 4, "x"}, {3, 5, "y"}}, out));
  EXPECT_EQ(out, "untouched");
}

TEST(TextEdits, AnEditPastTheEndIsRefused) {
  std::string out;
  EXPECT_FALSE(apply_edits("abc", {{2, 9, "x"}}, out));
}

TEST(TextEdits, LineBreaksFollowTheFile) {
  EXPECT_EQ(line_break_of("a\r\nb\n"), "\r\n");
  EXPECT_EQ(line_break_of("a\nb\r\n"), "\n");
  EXPECT_EQ(line_break_of("no line break"), "\n");
  EXPECT_EQ(with_line_breaks("a\nb\n", "\r\n"), "a\r\nb\r\n");
}

}  // namespace
}  // namespace tracemesh::fix
