#include "sdk/integrations/curl/gzip.h"

#include <zlib.h>

namespace tracemesh::detail {

Expected<std::string> gzip_compress(std::string_view data) {
  z_stream stream{};
  // windowBits 15 + 16 asks zlib for a gzip header and trailer.
  constexpr int gzip_window_bits = 15 + 16;
  constexpr int memory_level = 8;
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, gzip_window_bits, memory_level,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    return Error{ErrorCode::io_error, "gzip: deflateInit2 failed"};
  }
  std::string out(deflateBound(&stream, static_cast<uLong>(data.size())), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));  // NOLINT
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());  // NOLINT
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  if (result != Z_STREAM_END) return Error{ErrorCode::io_error, "gzip: deflate did not finish"};
  return out;
}

}  // namespace tracemesh::detail
