// gRPC's message framing as the collector reads a unary request's body.
#include "collector/grpc/grpc_message.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "collector/grpc/grpc_server.h"

namespace tracemesh::collector {
namespace {

// `data` compressed by zlib: gzip (window bits 31) or zlib-wrapped deflate (15).
std::string compress(const std::string& data, int window_bits) {
  z_stream stream{};
  EXPECT_EQ(
      deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY),
      Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

// A framed message with the compressed flag set.
std::string compressed_frame(const std::string& payload) {
  std::string framed = wrap_grpc_message(payload);
  framed[0] = 1;
  return framed;
}

TEST(GrpcMessage, FramesAndReadsBackOneMessage) {
  const std::string message = "\x0a\x03otlp";
  const std::string framed = wrap_grpc_message(message);
  EXPECT_EQ(framed.substr(0, 5), std::string("\0\0\0\0\x06", 5));
  const GrpcMessage read = unwrap_grpc_message(framed, "", 1024);
  EXPECT_EQ(read.code, GrpcCode::ok) << read.error;
  EXPECT_EQ(read.bytes, message);
  EXPECT_EQ(unwrap_grpc_message(wrap_grpc_message(""), "identity", 1024).code, GrpcCode::ok);
}

TEST(GrpcMessage, InflatesGzipAndDeflate) {
  const std::string message(100'000, 'q');
  for (const auto& [encoding, bits] : {std::pair{"gzip", 31}, std::pair{"deflate", 15}}) {
    const GrpcMessage read =
        unwrap_grpc_message(compressed_frame(compress(message, bits)), encoding, 1 << 20);
    EXPECT_EQ(read.code, GrpcCode::ok) << encoding << ": " << read.error;
    EXPECT_EQ(read.bytes, message) << encoding;
  }
  // An uncompressed message in a call that names gzip is read as it is.
  EXPECT_EQ(unwrap_grpc_message(wrap_grpc_message("plain"), "gzip", 1024).bytes, "plain");
}

TEST(GrpcMessage, RefusesAMessageOverTheLimitBeforeOrAfterInflating) {
  const GrpcMessage plain =
      unwrap_grpc_message(wrap_grpc_message(std::string(2000, 'x')), "", 1000);
  EXPECT_EQ(plain.code, GrpcCode::resource_exhausted);
  EXPECT_NE(plain.error.find("1000"), std::string::npos) << plain.error;
  // 10 MB of zeros compress to about 10 KB: refused once inflated past the limit.
  const std::string bomb = compressed_frame(compress(std::string(10'000'000, '\0'), 31));
  ASSERT_LT(bomb.size(), 20'000U);
  const GrpcMessage inflated = unwrap_grpc_message(bomb, "gzip", 1'000'000);
  EXPECT_EQ(inflated.code, GrpcCode::resource_exhausted);
  EXPECT_NE(inflated.error.find("decompressed"), std::string::npos) << inflated.error;
  EXPECT_TRUE(inflated.bytes.empty());
}

TEST(GrpcMessage, RefusesMalformedBodiesWithTheRightCode) {
  const std::string gzip_body = compress("message", 31);
  struct Row {
    const char* name;
    std::string body;
    std::string encoding;
    GrpcCode code;
  };
  const std::vector<Row> rows = {
      {"empty", "", "", GrpcCode::invalid_argument},
      {"short prefix", std::string("\0\0\0", 3), "", GrpcCode::invalid_argument},
      {"truncated", wrap_grpc_message("abcdef").substr(0, 8), "", GrpcCode::invalid_argument},
      {"two messages", wrap_grpc_message("a") + wrap_grpc_message("b"), "",
       GrpcCode::invalid_argument},
      {"flag 2", std::string("\x02\0\0\0\0", 5), "", GrpcCode::invalid_argument},
      {"compressed without encoding", compressed_frame(gzip_body), "", GrpcCode::invalid_argument},
      {"corrupt gzip", compressed_frame("\x1f\x8b\x08garbage"), "gzip", GrpcCode::invalid_argument},
      {"truncated gzip", compressed_frame(gzip_body.substr(0, gzip_body.size() - 6)), "gzip",
       GrpcCode::invalid_argument},
      {"trailing data after gzip", compressed_frame(gzip_body + "junk"), "gzip",
       GrpcCode::invalid_argument},
      {"unknown encoding", compressed_frame(gzip_body), "snappy", GrpcCode::unimplemented},
  };
  for (const Row& row : rows) {
    const GrpcMessage read = unwrap_grpc_message(row.body, row.encoding, 1 << 20);
    EXPECT_EQ(read.code, row.code) << row.name << ": " << read.error;
    EXPECT_FALSE(read.error.empty()) << row.name;
  }
  EXPECT_NE(unwrap_grpc_message(compressed_frame(gzip_body), "snappy", 1024).error.find("gzip"),
            std::string::npos);
}

TEST(GrpcStatus, PercentEncodesTheMessageAndTellsRetryDelaysOnly) {
  EXPECT_EQ(percent_encode_grpc_message("50% f\xc3\xbcr\nall"), "50%25 f%C3%BCr%0Aall");
  GrpcReply reply;
  reply.code = GrpcCode::invalid_argument;
  reply.error = "bad";
  EXPECT_TRUE(grpc_status_details(reply).empty());
  reply.code = GrpcCode::unavailable;
  reply.retry_after_seconds = 2;
  const std::string details = grpc_status_details(reply);
  // google.rpc.Status{code: 14, message: "bad", details: [Any{RetryInfo{2s}}]}.
  EXPECT_EQ(details.substr(0, 7), std::string("\x08\x0e\x12\x03"
                                              "bad",
                                              7));
  EXPECT_NE(details.find("type.googleapis.com/google.rpc.RetryInfo"), std::string::npos);
  EXPECT_EQ(details.substr(details.size() - 6), std::string("\x12\x04\x0a\x02\x08\x02", 6));
}

}  // namespace
}  // namespace tracemesh::collector
