// The URL split behind the traced client's server.address, server.port and url.full.
#include "sdk/integrations/curl/url_parts.h"

#include <gtest/gtest.h>

namespace tracemesh::detail {
namespace {

struct Row {
  const char* url;
  const char* host;
  std::int64_t port;
  const char* full;
};

TEST(UrlParts, SplitsHostPortAndRedactsCredentials) {
  const Row rows[] = {
      {"http://127.0.0.1:8080/a?b=c", "127.0.0.1", 8080, "http://127.0.0.1:8080/a?b=c"},
      {"http://example.com/x", "example.com", 80, "http://example.com/x"},
      {"HTTPS://example.com", "example.com", 443, "HTTPS://example.com"},
      {"https://example.com:8443?q", "example.com", 8443, "https://example.com:8443?q"},
      {"http://[::1]:9000/p", "::1", 9000, "http://[::1]:9000/p"},
      {"http://[::1]/p", "::1", 80, "http://[::1]/p"},
      {"http://user:secret@host:81/p", "host", 81, "http://REDACTED:REDACTED@host:81/p"},
      {"http://token@host/p", "host", 80, "http://REDACTED@host/p"},
      {"http://host/p@q", "host", 80, "http://host/p@q"},        // '@' in the path is not userinfo
      {"http://host:99999/", "host", 80, "http://host:99999/"},  // invalid port: the default
      {"http://host:/", "host", 80, "http://host:/"},
      {"localhost:3000/x", "localhost", 3000, "localhost:3000/x"},  // curl assumes http
      {"file:///tmp/x", "", 0, "file:///tmp/x"},
      {"", "", 80, ""},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.url);
    const UrlParts parts = url_parts(row.url);
    EXPECT_EQ(parts.host, row.host);
    EXPECT_EQ(parts.port, row.port);
    EXPECT_EQ(parts.full, row.full);
  }
}

}  // namespace
}  // namespace tracemesh::detail
