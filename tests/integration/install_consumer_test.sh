#!/usr/bin/env bash
# Install the build into a temporary prefix, then build and run a consumer
# against it twice: through find_package(tracemesh) and through pkg-config.
# Usage: install_consumer_test.sh BUILD_DIR SOURCE_DIR "EXTRA_CXX_FLAGS"
set -euo pipefail
build="$1"
source="$2"
flags="${3:-}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
expected="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

cmake --install "$build" --prefix "$work/prefix" >/dev/null

cmake -S "$source/tests/integration/consumer" -B "$work/cmake-build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_CXX_FLAGS="$flags" >/dev/null
cmake --build "$work/cmake-build" >/dev/null
got="$("$work/cmake-build/consumer")"
[ "$got" = "$expected" ] || { echo "find_package consumer printed '$got', want '$expected'"; exit 1; }
echo "find_package(tracemesh): ok"
got="$("$work/cmake-build/integrations_consumer")"
[ "$got" = "traceparent: $expected" ] || { echo "integrations consumer printed '$got'"; exit 1; }
echo "find_package(tracemesh COMPONENTS curl httplib beast mosquitto spdlog): ok"

libdir="$(ls -d "$work"/prefix/lib*/pkgconfig | head -1)"
# shellcheck disable=SC2046,SC2086
c++ -std=c++20 $flags "$source/tests/integration/consumer/main.cpp" \
  $(PKG_CONFIG_PATH="$libdir" pkg-config --cflags --libs tracemesh) -o "$work/pc-consumer"
got="$("$work/pc-consumer")"
[ "$got" = "$expected" ] || { echo "pkg-config consumer printed '$got', want '$expected'"; exit 1; }
echo "pkg-config tracemesh: ok"
