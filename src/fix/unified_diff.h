// A unified diff of one file, as `git apply` and `patch -p1` read it:
// `a/PATH` and `b/PATH` headers, hunks with three lines of context, and
// "\ No newline at end of file" where a side ends without one. Lines keep
// their own line breaks, so a CRLF file's patch carries CRLF lines.
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::fix {

// The diff turning `before` into `after` for the file at `path` (relative,
// '/' separators); "" when they are equal. `created`: the file is new
// (`--- /dev/null`).
std::string unified_diff(std::string_view path, std::string_view before, std::string_view after,
                         bool created = false);

// `prefix` + `path` as a patch names it: in double quotes with C escapes
// when it holds a quote, a backslash or a control character (as git does).
std::string diff_path(std::string_view prefix, std::string_view path);

}  // namespace tracemesh::fix
