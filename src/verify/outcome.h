// The result of one check on one trace.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace tracemesh::verify {

// Messages name at most this many spans ("... and N more"); `spans` keeps all.
inline constexpr std::size_t max_listed_spans = 20;

struct Outcome {
  bool passed = true;
  std::string message;             // why it failed, naming spans and services; or what held
  std::vector<std::string> spans;  // ids of the spans it implicates (marked in the tree)
};

}  // namespace tracemesh::verify
