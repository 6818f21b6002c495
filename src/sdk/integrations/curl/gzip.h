// gzip compression of request bodies (internal; zlib).
#pragma once

#include <string>
#include <string_view>

#include "tracemesh/expected.h"

namespace tracemesh::detail {

// Return `data` as a gzip member (RFC 1952), or an error when zlib fails.
Expected<std::string> gzip_compress(std::string_view data);

}  // namespace tracemesh::detail
