// Paths and route templates compared segment by segment: the audit's
// templates ("/orders/{order_id}", prefixes composed), the frameworks'
// runtime http.route ("/orders/<int:id>", "/orders/:id",
// "^orders/(?P<id>[0-9]+)/$") and concrete URL paths ("/orders/42").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tracemesh::map {

// `route` in the audit's form: every parameter written {name} (Flask
// <int:id> and <id>, Express :id, Django (?P<id>...)), anchors ^ and $
// dropped, a query string dropped, a leading '/' added, a trailing '/'
// dropped (but "/" stays).
std::string route_template(std::string_view route);

// Whether `a` and `b` (templates or paths) can name the same request path:
// as many segments, each equal or a {parameter} on either side. The match's
// specificity when they do: 2 for each segment equal as a literal, 1 for a
// parameter on both sides, 0 for a literal against a parameter — so a
// runtime "/orders/{id}" is closer to the code's "/orders/{order_id}" (3)
// than to its "/orders/export" (2).
std::optional<int> path_match(std::string_view a, std::string_view b);

// An MQTT topic template ("orders/{id}/shipped") as a topic filter
// ("orders/+/shipped").
std::string topic_filter(std::string_view topic_template);

// How specific an MQTT topic filter is: its levels that are not wildcards
// ("fleet/alerts/+" 2, "fleet/#" 1), so the narrowest matching filter wins.
int topic_filter_specificity(std::string_view filter);

}  // namespace tracemesh::map
