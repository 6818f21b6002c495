#include "audit/rules/route_paths.h"

#include "audit/python/source_text.h"

namespace tracemesh::audit {

std::string join_paths(const std::string& left, const std::string& right) {
  if (left.empty()) return right;
  if (right.empty()) return left;
  std::string joined = left;
  while (!joined.empty() && joined.back() == '/') joined.pop_back();
  return joined + (right.front() == '/' ? right : "/" + right);
}

std::string django_regex_path(const std::string& text) {
  const auto literal = string_literal(text);
  if (!literal) return text;
  std::string pattern = literal->content;
  if (!pattern.empty() && pattern.front() == '^') pattern.erase(0, 1);
  if (!pattern.empty() && pattern.back() == '$') pattern.pop_back();
  std::string path;
  for (std::size_t at = 0; at < pattern.size(); ++at) {
    if (pattern.compare(at, 4, "(?P<") == 0) {
      const std::size_t close = pattern.find('>', at);
      std::size_t depth = 0;
      std::size_t end = at;
      for (; end < pattern.size(); ++end) {
        if (pattern[end] == '(') ++depth;
        if (pattern[end] == ')' && --depth == 0) break;
      }
      if (close == std::string::npos || end >= pattern.size()) return text;
      path += "{" + pattern.substr(at + 4, close - at - 4) + "}";
      at = end;
    } else if (pattern[at] != '\\') {
      path += pattern[at];
    }
  }
  return "\"" + path + "\"";
}

bool is_rest_api(const std::string& name) {
  return name == "flask_restplus.Api" || name == "flask_restx.Api" || name == "flask_restful.Api";
}

bool is_django_path(const std::string& name) {
  return name == "django.urls.path" || name == "django.urls.re_path" ||
         name == "django.conf.urls.url";
}

}  // namespace tracemesh::audit
