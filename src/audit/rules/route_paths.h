// Route paths as the web frameworks write them: prefixes joined to paths,
// Django's regex patterns read as path templates, and the callables that
// declare routes by name.
#pragma once

#include <string>

namespace tracemesh::audit {

// "/api" + "/orders/" + "/{id}" → "/api/orders/{id}"; never a doubled slash.
std::string join_paths(const std::string& left, const std::string& right);

// re_path(r"^orders/(?P<id>\d+)/$") as a path template: "orders/{id}/",
// still a string literal for the value resolver. `text` unchanged when it
// is not a string literal or its groups do not close.
std::string django_regex_path(const std::string& text);

// A Flask-RESTPlus / Flask-RESTX / Flask-RESTful Api class (canonical name).
bool is_rest_api(const std::string& name);

// Django's path(), re_path() or the older url() (canonical name).
bool is_django_path(const std::string& name);

}  // namespace tracemesh::audit
