// What `tracemesh fix` tells its user besides the patch: every site fixed
// (with the idiom used and where the change is), every site left with the
// reason, the services given an inbound hook; as text for a terminal or as
// JSON (schema tracemesh.fix/v1, docs/fix.md) with the patch inside.
#pragma once

#include <string>

#include "fix/retrofit.h"

namespace tracemesh::fix {

// Lines for stderr: one per site left, then a one-line summary.
std::string fix_summary(const Retrofit& retrofit, bool written);

// The whole retrofit as JSON, the patch included.
std::string fix_json(const Retrofit& retrofit, const std::string& root, bool written);

}  // namespace tracemesh::fix
