#include "fix/unified_diff.h"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace tracemesh::fix {
namespace {

constexpr std::size_t context = 3;

// The lines of `text`, each with its line break.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    end = end == std::string_view::npos ? text.size() : end + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  return lines;
}

enum class Op { keep, remove, add };

// The shortest edit script from a to b (Myers, O((N+M)·D): the fixer's
// edits are few, so D is small).
std::vector<Op> edit_script(const std::vector<std::string_view>& a,
                            const std::vector<std::string_view>& b) {
  const auto n = static_cast<std::ptrdiff_t>(a.size());
  const auto m = static_cast<std::ptrdiff_t>(b.size());
  const std::ptrdiff_t offset = n + m + 1;
  std::vector<std::ptrdiff_t> v(static_cast<std::size_t>(2 * offset + 1), 0);
  std::vector<std::vector<std::ptrdiff_t>> trace;
  for (std::ptrdiff_t d = 0; d <= n + m; ++d) {
    trace.push_back(v);
    bool done = false;
    for (std::ptrdiff_t k = -d; k <= d; k += 2) {
      const auto at = [&](std::ptrdiff_t diagonal) -> std::ptrdiff_t& {
        return v[static_cast<std::size_t>(diagonal + offset)];
      };
      std::ptrdiff_t x = (k == -d || (k != d && at(k - 1) < at(k + 1))) ? at(k + 1) : at(k - 1) + 1;
      std::ptrdiff_t y = x - k;
      while (x < n && y < m && a[static_cast<std::size_t>(x)] == b[static_cast<std::size_t>(y)]) {
        ++x;
        ++y;
      }
      at(k) = x;
      if (x >= n && y >= m) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  // Walk back through the saved frontiers.
  std::vector<Op> script;
  std::ptrdiff_t x = n;
  std::ptrdiff_t y = m;
  for (auto d = static_cast<std::ptrdiff_t>(trace.size()) - 1; d >= 0; --d) {
    const std::vector<std::ptrdiff_t>& frontier = trace[static_cast<std::size_t>(d)];
    const auto at = [&](std::ptrdiff_t diagonal) {
      return frontier[static_cast<std::size_t>(diagonal + offset)];
    };
    const std::ptrdiff_t k = x - y;
    const bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    const std::ptrdiff_t previous_k = down ? k + 1 : k - 1;
    const std::ptrdiff_t previous_x = d == 0 ? 0 : at(previous_k);
    const std::ptrdiff_t previous_y = previous_x - previous_k;
    while (x > previous_x && y > previous_y) {
      script.push_back(Op::keep);
      --x;
      --y;
    }
    if (d == 0) break;
    script.push_back(down ? Op::add : Op::remove);
    if (down) {
      --y;
    } else {
      --x;
    }
  }
  while (x > 0 && y > 0) {  // the common start, when d reached 0 above
    script.push_back(Op::keep);
    --x;
    --y;
  }
  std::reverse(script.begin(), script.end());
  return script;
}

void append_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out.append(line);
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

std::string range(std::size_t start, std::size_t count) {
  // A hunk's start is the line before it when it holds no line of that side.
  const std::size_t shown = count == 0 ? start : start + 1;
  return std::to_string(shown) + (count == 1 ? "" : "," + std::to_string(count));
}

}  // namespace

std::string diff_path(std::string_view prefix, std::string_view path) {
  std::string plain = std::string(prefix) + std::string(path);
  const bool quoted = std::any_of(plain.begin(), plain.end(), [](char c) {
    return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (!quoted) return plain;
  std::string out = "\"";
  for (const char c : plain) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          const char digits[] = {'\\', static_cast<char>('0' + ((c >> 6) & 7)),
                                 static_cast<char>('0' + ((c >> 3) & 7)),
                                 static_cast<char>('0' + (c & 7)), '\0'};
          out += digits;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string unified_diff(std::string_view path, std::string_view before, std::string_view after,
                         bool created) {
  if (before == after && !created) return {};
  const auto a = lines_of(before);
  const auto b = lines_of(after);
  const std::vector<Op> script = edit_script(a, b);
  // A name with a space ends in a tab, so that GNU patch reads it whole (as git writes it).
  const std::string name_end = path.find(' ') == std::string_view::npos ? "\n" : "\t\n";
  std::string out = created ? "--- /dev/null\n" : "--- " + diff_path("a/", path) + name_end;
  out += "+++ " + diff_path("b/", path) + name_end;
  std::size_t i = 0;
  while (i < script.size()) {
    if (script[i] == Op::keep) {
      ++i;
      continue;
    }
    // A hunk: from `context` keeps before the first change to `context`
    // keeps after the last change that is at most 2·context keeps from the next.
    const std::size_t start = i - std::min(i, context);
    std::size_t end = i;
    std::size_t keeps = 0;
    for (std::size_t j = i; j < script.size(); ++j) {
      if (script[j] == Op::keep) {
        if (++keeps > 2 * context) break;
      } else {
        keeps = 0;
        end = j + 1;
      }
    }
    end = std::min(script.size(), end + context);
    std::size_t old_line = 0;
    std::size_t new_line = 0;
    for (std::size_t j = 0; j < start; ++j) {
      if (script[j] != Op::add) ++old_line;
      if (script[j] != Op::remove) ++new_line;
    }
    std::size_t old_count = 0;
    std::size_t new_count = 0;
    std::string body;
    std::size_t x = old_line;
    std::size_t y = new_line;
    for (std::size_t j = start; j < end; ++j) {
      switch (script[j]) {
        case Op::keep:
          append_line(body, ' ', a[x++]);
          ++y;
          ++old_count;
          ++new_count;
          break;
        case Op::remove:
          append_line(body, '-', a[x++]);
          ++old_count;
          break;
        case Op::add:
          append_line(body, '+', b[y++]);
          ++new_count;
          break;
      }
    }
    out += "@@ -" + range(old_line, old_count) + " +" + range(new_line, new_count) + " @@\n";
    out += body;
    i = end;
  }
  return out;
}

}  // namespace tracemesh::fix
