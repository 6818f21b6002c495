// Encode an OTLP message from protobuf text format with `protoc --encode`
// (and decode one with `protoc --decode`), independently of our code, for the
// protobuf decoders' and encoders' tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace tracemesh::ingest::testing {

// Return `text` (protobuf text format of `message`, e.g.
// "otlp.ExportTraceServiceRequest") encoded by protoc from otlp_trace.proto.
inline std::string protoc_encode(const std::string& message, const std::string& text) {
  const auto base =
      std::filesystem::temp_directory_path() / ("tracemesh-pb-" + std::to_string(::getpid()));
  std::ofstream(base.string() + ".txt") << text;
  const std::string schema = std::string(TRACEMESH_SOURCE_DIR) + "/src/ingest";
  const std::string command = std::string(TRACEMESH_PROTOC) + " --encode=" + message + " -I " +
                              schema + " " + schema + "/otlp_trace.proto < " + base.string() +
                              ".txt > " + base.string() + ".bin";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream file(base.string() + ".bin", std::ios::binary);
  std::stringstream bytes;
  bytes << file.rdbuf();
  std::filesystem::remove(base.string() + ".txt");
  std::filesystem::remove(base.string() + ".bin");
  return bytes.str();
}

// Return `bytes` decoded by protoc as `message` into protobuf text format
// ("" and a test failure when protoc cannot decode them).
inline std::string protoc_decode(const std::string& message, const std::string& bytes) {
  const auto base =
      std::filesystem::temp_directory_path() / ("tracemesh-pbd-" + std::to_string(::getpid()));
  std::ofstream(base.string() + ".bin", std::ios::binary) << bytes;
  const std::string schema = std::string(TRACEMESH_SOURCE_DIR) + "/src/ingest";
  const std::string command = std::string(TRACEMESH_PROTOC) + " --decode=" + message + " -I " +
                              schema + " " + schema + "/otlp_trace.proto < " + base.string() +
                              ".bin > " + base.string() + ".txt";
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream file(base.string() + ".txt");
  std::stringstream text;
  text << file.rdbuf();
  std::filesystem::remove(base.string() + ".txt");
  std::filesystem::remove(base.string() + ".bin");
  return text.str();
}

}  // namespace tracemesh::ingest::testing
