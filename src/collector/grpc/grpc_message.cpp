#include "collector/grpc/grpc_message.h"

#include <zlib.h>

#include <cstdint>

namespace tracemesh::collector {
namespace {

constexpr std::size_t prefix_bytes = 5;

GrpcMessage failure(GrpcCode code, std::string error) {
  return GrpcMessage{code, {}, std::move(error)};
}

// Inflate `data` (gzip or zlib-wrapped deflate, told apart by its header) into
// at most `max_bytes`.
GrpcMessage inflate_message(std::string_view data, std::size_t max_bytes) {
  z_stream stream{};
  // 15 + 32: the largest window, with automatic gzip or zlib header detection.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) {
    return failure(GrpcCode::internal, "cannot start decompression");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  GrpcMessage result;
  char chunk[64 * 1024];
  int status = Z_OK;
  while (status == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK && status != Z_STREAM_END) break;
    const std::size_t produced = sizeof(chunk) - stream.avail_out;
    if (result.bytes.size() + produced > max_bytes) {
      inflateEnd(&stream);
      return failure(GrpcCode::resource_exhausted, "message over the collector's limit of " +
                                                       std::to_string(max_bytes) +
                                                       " bytes once decompressed");
    }
    result.bytes.append(chunk, produced);
    if (status == Z_OK && produced == 0 && stream.avail_in == 0) status = Z_BUF_ERROR;
  }
  const bool complete = status == Z_STREAM_END && stream.avail_in == 0;
  inflateEnd(&stream);
  if (!complete) {
    return failure(GrpcCode::invalid_argument,
                   "the compressed message is corrupt or truncated (or has trailing data)");
  }
  return result;
}

}  // namespace

bool supported_grpc_encoding(std::string_view encoding) {
  return encoding.empty() || encoding == "identity" || encoding == "gzip" || encoding == "deflate";
}

GrpcMessage unwrap_grpc_message(std::string_view body, std::string_view encoding,
                                std::size_t max_bytes) {
  if (!supported_grpc_encoding(encoding)) {
    return failure(GrpcCode::unimplemented, "grpc-encoding '" + std::string(encoding) +
                                                "' is not supported (identity, gzip, deflate are)");
  }
  if (body.size() < prefix_bytes) {
    return failure(GrpcCode::invalid_argument,
                   body.empty() ? "the request has no message" : "truncated gRPC message prefix");
  }
  const auto flag = static_cast<unsigned char>(body[0]);
  std::uint32_t length = 0;
  for (std::size_t i = 1; i < prefix_bytes; ++i) {
    length = (length << 8U) | static_cast<unsigned char>(body[i]);
  }
  if (flag > 1) {
    return failure(GrpcCode::invalid_argument,
                   "gRPC message flag " + std::to_string(flag) + " is neither 0 nor 1");
  }
  const std::string_view rest = body.substr(prefix_bytes);
  if (rest.size() < length) {
    return failure(GrpcCode::invalid_argument, "truncated gRPC message: " + std::to_string(length) +
                                                   " bytes announced, " +
                                                   std::to_string(rest.size()) + " sent");
  }
  if (rest.size() > length) {
    return failure(GrpcCode::invalid_argument, "a unary call carries one message; more were sent");
  }
  const std::string_view message = rest.substr(0, length);
  if (flag == 0) {
    if (message.size() > max_bytes) {
      return failure(GrpcCode::resource_exhausted, "message over the collector's limit of " +
                                                       std::to_string(max_bytes) + " bytes");
    }
    return GrpcMessage{GrpcCode::ok, std::string(message), {}};
  }
  if (encoding.empty() || encoding == "identity") {
    return failure(GrpcCode::invalid_argument,
                   "the message is flagged compressed but the call names no grpc-encoding");
  }
  return inflate_message(message, max_bytes);
}

std::string wrap_grpc_message(std::string_view message) {
  std::string framed(prefix_bytes, '\0');
  const auto length = static_cast<std::uint32_t>(message.size());
  for (std::size_t i = 0; i < 4; ++i) {
    framed[4 - i] = static_cast<char>((length >> (8U * i)) & 0xffU);
  }
  framed.append(message);
  return framed;
}

}  // namespace tracemesh::collector
