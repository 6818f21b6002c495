#include "map/route_templates.h"

#include <vector>

namespace tracemesh::map {
namespace {

std::vector<std::string_view> segments(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t at = 0;
  while (at <= path.size()) {
    const std::size_t slash = path.find('/', at);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    if (end > at) parts.push_back(path.substr(at, end - at));
    if (slash == std::string_view::npos) break;
    at = slash + 1;
  }
  return parts;
}

bool is_parameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// One segment of a runtime route as a template segment.
std::string segment_template(std::string_view segment) {
  if (segment.size() >= 2 && segment.front() == '<' && segment.back() == '>') {
    std::string_view name = segment.substr(1, segment.size() - 2);
    if (const std::size_t colon = name.rfind(':'); colon != std::string_view::npos)
      name = name.substr(colon + 1);
    return "{" + std::string(name) + "}";
  }
  if (segment.size() >= 2 && segment.front() == ':')
    return "{" + std::string(segment.substr(1)) + "}";
  if (segment.rfind("(?P<", 0) == 0) {
    const std::size_t close = segment.find('>');
    if (close != std::string_view::npos)
      return "{" + std::string(segment.substr(4, close - 4)) + "}";
  }
  if (segment.front() == '(' || segment.find('*') != std::string_view::npos) return "{}";
  return std::string(segment);
}

}  // namespace

std::string route_template(std::string_view route) {
  // A query string; not the '?' of a regex group ("(?P<id>...)").
  for (std::size_t query = route.find('?'); query != std::string_view::npos;
       query = route.find('?', query + 1)) {
    if (query == 0 || route[query - 1] != '(') {
      route = route.substr(0, query);
      break;
    }
  }
  if (!route.empty() && route.front() == '^') route.remove_prefix(1);
  if (!route.empty() && route.back() == '$') route.remove_suffix(1);
  std::string result;
  for (const std::string_view segment : segments(route)) result += "/" + segment_template(segment);
  return result.empty() ? "/" : result;
}

std::optional<int> path_match(std::string_view a, std::string_view b) {
  const auto left = segments(a.substr(0, a.find('?')));
  const auto right = segments(b.substr(0, b.find('?')));
  if (left.size() != right.size()) return std::nullopt;
  int score = 0;
  for (std::size_t i = 0; i < left.size(); ++i) {
    const bool left_parameter = is_parameter(left[i]);
    const bool right_parameter = is_parameter(right[i]);
    if (left_parameter && right_parameter) {
      score += 1;
    } else if (!left_parameter && !right_parameter) {
      if (left[i] != right[i]) return std::nullopt;
      score += 2;
    }
  }
  return score;
}

std::string topic_filter(std::string_view topic_template) {
  std::string filter;
  std::size_t at = 0;
  for (;;) {
    const std::size_t slash = topic_template.find('/', at);
    const std::string_view level = topic_template.substr(
        at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    filter += level.find('{') != std::string_view::npos ? std::string("+") : std::string(level);
    if (slash == std::string_view::npos) break;
    filter += '/';
    at = slash + 1;
  }
  return filter;
}

int topic_filter_specificity(std::string_view filter) {
  int literal = 0;
  std::size_t at = 0;
  for (;;) {
    const std::size_t slash = filter.find('/', at);
    const std::string_view level =
        filter.substr(at, slash == std::string_view::npos ? std::string_view::npos : slash - at);
    if (level != "+" && level != "#") ++literal;
    if (slash == std::string_view::npos) return literal;
    at = slash + 1;
  }
}

}  // namespace tracemesh::map
