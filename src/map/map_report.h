// The propagation map as reports: Markdown for people (the coverage line,
// then the edges by state with their sites), JSON (tracemesh.map/v1, the
// shape in docs/map.md) for tools, and SARIF (TM004 at each call site that
// loses the context, TM005 at the callee that drops it) for code scanning.
#pragma once

#include <string>

#include "map/propagation_map.h"

namespace tracemesh::map {

// "edges proven 14/16 (87.5 %)".
std::string coverage_line(const PropagationMap& map);

std::string map_markdown(const PropagationMap& map);
std::string map_json(const PropagationMap& map, const std::string& root,
                     const std::string& collector);
std::string map_sarif(const PropagationMap& map, const std::string& root);

}  // namespace tracemesh::map
