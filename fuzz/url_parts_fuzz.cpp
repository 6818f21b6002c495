// Fuzz the traced client's URL split: never crash, the host is a piece of
// the URL, the port is 0 or a valid port, and url.full never keeps the
// credentials it was given.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sdk/integrations/curl/url_parts.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view url(reinterpret_cast<const char*>(data), size);  // NOLINT
  const auto parts = tracemesh::detail::url_parts(url);
  if (url.find(parts.host) == std::string_view::npos) std::abort();
  if (parts.port < 0 || parts.port > 65535) std::abort();
  const bool redacted = parts.full.find("REDACTED") != std::string::npos;
  if (!redacted && parts.full != url) std::abort();
  return 0;
}
