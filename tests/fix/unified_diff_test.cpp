// The patch format `git apply` and `patch -p1` read: hunk headers, context,
// the marker of a file without a final line break, CRLF lines kept, new
// files, names quoted as git quotes them. The patches are applied for real
// in retrofit_test.cpp (git apply) and retrofit_edges_test.cpp (patch -p1);
// fix_retrofit_fuzz applies every diff it makes and compares.
#include "fix/unified_diff.h"

#include <gtest/gtest.h>

#include <string>

namespace tracemesh::fix {
namespace {

std::string numbered(int from, int to, const std::string& line_break = "\n") {
  std::string text;
  for (int i = from; i <= to; ++i) text += "line " + std::to_string(i) + line_break;
  return text;
}

TEST(UnifiedDiff, EqualTextsGiveNothing) {
  EXPECT_EQ(unified_diff("a.py", "x\n", "x\n"), "");
}

TEST(UnifiedDiff, OneInsertedLineWithThreeLinesOfContext) {
  const std::string before = numbered(1, 10);
  std::string after = numbered(1, 5) + "new\n" + numbered(6, 10);
  EXPECT_EQ(unified_diff("pkg/a.py", before, after),
            "--- a/pkg/a.py\n+++ b/pkg/a.py\n@@ -3,6 +3,7 @@\n line 3\n line 4\n line 5\n+new\n"
            " line 6\n line 7\n line 8\n");
}

TEST(UnifiedDiff, AChangedLine) {
  const std::string before = numbered(1, 3);
  const std::string after = "line 1\nline two\nline 3\n";
  EXPECT_EQ(unified_diff("a.py", before, after),
            "--- a/a.py\n+++ b/a.py\n@@ -1,3 +1,3 @@\n line 1\n-line 2\n+line two\n line 3\n");
}

TEST(UnifiedDiff, ChangesFarApartAreTwoHunks) {
  const std::string before = numbered(1, 20);
  const std::string after = "first\n" + numbered(1, 20) + "last\n";
  const std::string diff = unified_diff("a.py", before, after);
  EXPECT_NE(diff.find("@@ -1,3 +1,4 @@\n+first\n line 1\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -18,3 +19,4 @@\n line 18\n line 19\n line 20\n+last\n"),
            std::string::npos)
      << diff;
}

TEST(UnifiedDiff, ChangesCloseTogetherShareAHunk) {
  const std::string before = numbered(1, 12);
  std::string after = numbered(1, 3) + "a\n" + numbered(4, 8) + "b\n" + numbered(9, 12);
  const std::string diff = unified_diff("a.py", before, after);
  EXPECT_EQ(diff.find("@@ -1,11 +1,13 @@"), diff.find("@@")) << diff;
  EXPECT_EQ(diff.find("@@ -", diff.find("@@") + 2), std::string::npos) << diff;  // one hunk
}

TEST(UnifiedDiff, AFileWithoutAFinalLineBreakIsMarked) {
  const std::string diff = unified_diff("a.py", "x\ny", "x\ny\nz");
  EXPECT_EQ(diff,
            "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,3 @@\n x\n-y\n\\ No newline at end of file\n+y\n"
            "+z\n\\ No newline at end of file\n");
}

TEST(UnifiedDiff, CrlfLinesKeepTheirLineBreaks) {
  const std::string before = numbered(1, 2, "\r\n");
  const std::string after = "line 1\r\nadded\r\nline 2\r\n";
  EXPECT_EQ(unified_diff("a.py", before, after),
            "--- a/a.py\n+++ b/a.py\n@@ -1,2 +1,3 @@\n line 1\r\n+added\r\n line 2\r\n");
}

TEST(UnifiedDiff, NamesWithQuotesOrControlCharactersAreQuoted) {
  EXPECT_EQ(diff_path("a/", "plain/name.py"), "a/plain/name.py");
  EXPECT_EQ(diff_path("a/", "with space.py"), "a/with space.py");
  EXPECT_EQ(diff_path("a/", "tab\there.py"), "\"a/tab\\there.py\"");
  EXPECT_EQ(diff_path("b/", "say \"hi\".py"), "\"b/say \\\"hi\\\".py\"");
  // A space: the name ends in a tab, for GNU patch.
  EXPECT_EQ(unified_diff("my file.py", "a\n", "b\n"),
            "--- a/my file.py\t\n+++ b/my file.py\t\n@@ -1 +1 @@\n-a\n+b\n");
}

TEST(UnifiedDiff, ANewFileComesFromDevNull) {
  EXPECT_EQ(unified_diff("pkg/new.py", "", "a\nb\n", true),
            "--- /dev/null\n+++ b/pkg/new.py\n@@ -0,0 +1,2 @@\n+a\n+b\n");
}

}  // namespace
}  // namespace tracemesh::fix
