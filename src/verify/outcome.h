// The result of one check on one trace.
#pragma once

#include <string>
#include <vector>

namespace tracemesh::verify {

struct Outcome {
  bool passed = true;
  std::string message;             // why it failed, naming spans and services; or what held
  std::vector<std::string> spans;  // ids of the spans it implicates (marked in the tree)
};

}  // namespace tracemesh::verify
