// Splitting dotted names ("self.client.get") and '/' paths at their last
// separator: before it ("self.client", "" when there is none) and after it
// ("get", the whole text when there is none); and whether a path lies in a folder.
#pragma once

#include <string>
#include <string_view>

namespace tracemesh::audit {

// The part before the last separator, as a view into `text`.
inline std::string_view view_before_last(std::string_view text, char separator = '.') {
  const std::size_t at = text.rfind(separator);
  return at == std::string_view::npos ? std::string_view() : text.substr(0, at);
}

inline std::string before_last(std::string_view text, char separator = '.') {
  return std::string(view_before_last(text, separator));
}

inline std::string after_last(std::string_view text, char separator = '.') {
  const std::size_t at = text.rfind(separator);
  return std::string(at == std::string_view::npos ? text : text.substr(at + 1));
}

// The folder of a '/' path ("a/b/c.py" → "a/b"; "" at the top).
inline std::string parent_folder(std::string_view path) {
  return before_last(path, '/');
}

// Whether `path` lies in folder `root` ("" is the repository's root, which holds everything).
inline bool contains(std::string_view root, std::string_view path) {
  return root.empty() ||
         (path.size() > root.size() && path.starts_with(root) && path[root.size()] == '/');
}

}  // namespace tracemesh::audit
