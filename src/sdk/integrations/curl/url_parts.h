// What the CLIENT span records of a request URL (internal to tracemesh::curl):
// server.address, server.port and url.full with any credentials redacted, as
// OpenTelemetry's HTTP conventions ask. A light split of
// scheme://[userinfo@]host[:port][/path][?query][#fragment], done on every
// request, so it allocates only the two strings it returns; libcurl still
// parses the URL itself for the transfer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tracemesh::detail {

struct UrlParts {
  std::string host;       // without IPv6 brackets; "" when the URL has none
  std::int64_t port = 0;  // explicit, else the scheme's default (80, 443), else 0
  std::string full;       // the URL, with "user:password@" as "REDACTED:REDACTED@"
};

UrlParts url_parts(std::string_view url);

}  // namespace tracemesh::detail
