// What the fixer reads of a Python file to edit it: each call's callee and
// argument list, its headers= value, the trailing comma and layout of its
// arguments, the statement it sits in, and where a new import goes.
#include "fix/python_file.h"

#include <gtest/gtest.h>

namespace tracemesh::fix {
namespace {

const CallSyntax& only_call(const PythonFile& file, int line, const std::string& callee) {
  for (const CallSyntax* call : file.calls_at(line)) {
    if (call->callee == callee) return *call;
  }
  static const CallSyntax none;
  ADD_FAILURE() << "no call of " << callee << " on line " << line;
  return none;
}

std::string text_of(const PythonFile& file, ByteRange range) {
  return file.text().substr(range.begin, range.end - range.begin);
}

TEST(PythonFile, ACallsHeadersValueAndArguments) {
  const PythonFile file(
      "import httpx\n\n\nasync def f(client, url):\n"
      "    r = await client.post(url, json={}, headers={\"A\": \"b\"})\n");
  ASSERT_TRUE(file.parsed());
  EXPECT_FALSE(file.has_errors());
  const CallSyntax& call = only_call(file, 5, "client.post");
  ASSERT_TRUE(call.headers);
  EXPECT_EQ(text_of(file, *call.headers), "{\"A\": \"b\"}");
  EXPECT_EQ(text_of(file, call.callee_range), "client.post");
  EXPECT_FALSE(call.argument_list.multiline);
  EXPECT_FALSE(call.argument_list.trailing_comma);
  EXPECT_EQ(file.text()[call.argument_list.last_end - 1], '}');
  EXPECT_TRUE(call.in_block);
  EXPECT_TRUE(call.statement_starts_line);
  EXPECT_EQ(call.statement_indent, "    ");
  EXPECT_EQ(file.text().substr(call.statement_line_begin, 8), "    r = ");
  EXPECT_EQ(file.import_position(), std::string("import httpx\n").size());
  const auto dict = file.dict_at(*call.headers);
  ASSERT_TRUE(dict);
  EXPECT_FALSE(dict->empty);
}

TEST(PythonFile, AMultilineArgumentListWithATrailingComma) {
  const PythonFile file("requests.post(\n    url,\n    json=body,  # the body\n)\n");
  const CallSyntax& call = only_call(file, 1, "requests.post");
  EXPECT_TRUE(call.argument_list.multiline);
  EXPECT_TRUE(call.argument_list.trailing_comma);
  EXPECT_EQ(call.argument_list.indent, "    ");
  EXPECT_EQ(file.text().substr(call.argument_list.comma_end - 5, 5), "body,");
  EXPECT_FALSE(call.headers);
}

TEST(PythonFile, KeywordSplatsAndEmptyArgumentLists) {
  const PythonFile file("get(**options)\nget()\n");
  EXPECT_TRUE(only_call(file, 1, "get").keyword_splat);
  const CallSyntax& empty = only_call(file, 2, "get");
  EXPECT_TRUE(empty.argument_list.empty);
  EXPECT_EQ(empty.argument_list.last_end, empty.arguments.begin + 1);
}

TEST(PythonFile, ImportsGoAfterTheDocstringWhenThereAreNone) {
  const PythonFile file("\"\"\"Doc.\"\"\"\nx = 1\n");
  EXPECT_EQ(file.import_position(), std::string("\"\"\"Doc.\"\"\"\n").size());
  EXPECT_EQ(PythonFile("x = 1\n").import_position(), 0U);
}

TEST(PythonFile, ACallInALambdaHasNoStatementOfItsOwn) {
  const PythonFile file("def f():\n    g = lambda: client.get(url)\n");
  EXPECT_FALSE(only_call(file, 2, "client.get").in_block);
}

TEST(PythonFile, ACallAfterAnotherStatementOnItsLine) {
  const PythonFile file("def f():\n    x = 1; client.get(url)\n");
  EXPECT_FALSE(only_call(file, 2, "client.get").statement_starts_line);
}

TEST(PythonFile, SyntaxErrorsAreReported) {
  EXPECT_TRUE(PythonFile("def f(:\n").has_errors());
}

}  // namespace
}  // namespace tracemesh::fix

namespace tracemesh::fix {
namespace {

TEST(PythonFile, TheWrapWidthIsTheLongestLineAndAtLeast99) {
  EXPECT_EQ(PythonFile("x = 1\n").wrap_width(), 99U);
  EXPECT_EQ(PythonFile("x = '" + std::string(120, 'a') + "'\r\n").wrap_width(), 126U);
}

}  // namespace
}  // namespace tracemesh::fix
