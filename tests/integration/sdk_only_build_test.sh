#!/usr/bin/env bash
# The SDK on its own: configure with -DTRACEMESH_BUILD_TOOLS=OFF and the
# generator CMake picks by default (Unix Makefiles), check that none of the
# tools' dependencies was looked for (npm, protobuf, SQLite, tree-sitter,
# simdjson, yaml-cpp, CLI11), build, then install it and build consumers
# against the install (install_consumer_test.sh).
# Usage: sdk_only_build_test.sh SOURCE_DIR
set -euo pipefail
source="$1"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cmake -S "$source" -B "$work/build" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
  -DTRACEMESH_BUILD_TOOLS=OFF >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }
looked_for="$(grep -E '^(Protobuf_|protobuf_|SQLite3_|TRACEMESH_NPM|simdjson_DIR|yaml-cpp_DIR|CLI11_DIR|TREE_SITTER|__pkg_config_checked_TREE_SITTER)' \
  "$work/build/CMakeCache.txt" || true)"
if [ -n "$looked_for" ]; then
  echo "an SDK-only configure looked for the tools' dependencies:"
  echo "$looked_for"
  exit 1
fi
echo "configure without the tools' dependencies: ok"

cmake --build "$work/build" -j "$(nproc)" >"$work/build.log" 2>&1 || { tail -50 "$work/build.log"; exit 1; }
if [ -e "$work/build/src/cli/tracemesh" ]; then
  echo "an SDK-only build built the tracemesh binary"
  exit 1
fi
echo "build (Unix Makefiles): ok"

"$source/tests/integration/install_consumer_test.sh" "$work/build" "$source" ""
