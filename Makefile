# tracemesh — the two commands a new user needs are `make demo` and `make test`.
#
#   make test    install missing packages, build with ASan+UBSan, run every test (CTest)
#   make demo    build (release) and run the end-to-end demo
#   make bench   build (release) and run the benchmarks; see docs/benchmarks.md
#   make fuzz    build the libFuzzer targets (clang) and run each for FUZZ_SECONDS
#   make tsan    build and run the unit tests under ThreadSanitizer
#   make format  clang-format every project source in place
#   make tidy    clang-tidy the SDK sources
#   make install PREFIX=/usr/local

BUILD ?= build
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 30
BENCH_REPETITIONS ?= 9
PREFIX ?= /usr/local
GENERATOR := -G Ninja

.PHONY: all test demo bench fuzz tsan format tidy install clean bootstrap

all: test

bootstrap:
	@scripts/bootstrap

test: bootstrap
	cmake -S . -B $(BUILD)/test $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DTRACEMESH_SANITIZE=ON
	cmake --build $(BUILD)/test -j $(JOBS)
	cd $(BUILD)/test && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) --timeout 300

demo: bootstrap
	cmake -S . -B $(BUILD)/release $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DTRACEMESH_BUILD_TESTS=OFF
	cmake --build $(BUILD)/release -j $(JOBS)
	BUILD_DIR=$(BUILD)/release scripts/demo $(if $(BREAK),--break "$(BREAK)")

bench: bootstrap
	cmake -S . -B $(BUILD)/bench $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DTRACEMESH_BUILD_BENCH=ON \
	  -DTRACEMESH_BUILD_TESTS=OFF -DTRACEMESH_BUILD_EXAMPLES=OFF
	cmake --build $(BUILD)/bench -j $(JOBS)
	scripts/run-benchmarks $(BUILD)/bench $(BENCH_REPETITIONS)

fuzz: bootstrap
	CC=clang CXX=clang++ cmake -S . -B $(BUILD)/fuzz $(GENERATOR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DTRACEMESH_BUILD_FUZZ=ON -DTRACEMESH_BUILD_TESTS=OFF -DTRACEMESH_BUILD_EXAMPLES=OFF
	cmake --build $(BUILD)/fuzz -j $(JOBS)
	scripts/run-fuzzers $(BUILD)/fuzz $(FUZZ_SECONDS)

tsan: bootstrap
	cmake -S . -B $(BUILD)/tsan $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DTRACEMESH_BUILD_EXAMPLES=OFF -DTRACEMESH_JEMALLOC=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread"
	cmake --build $(BUILD)/tsan -j $(JOBS)
	cd $(BUILD)/tsan && TSAN_OPTIONS=halt_on_error=1 ctest --output-on-failure -j $(JOBS) -LE integration

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

tidy:
	cmake -S . -B $(BUILD)/tidy $(GENERATOR) -DCMAKE_BUILD_TYPE=Debug -DTRACEMESH_BUILD_TESTS=OFF \
	  -DTRACEMESH_BUILD_EXAMPLES=OFF
	git ls-files 'src/sdk/*.cpp' | xargs clang-tidy -p $(BUILD)/tidy --quiet

install:
	cmake -S . -B $(BUILD)/release $(GENERATOR) -DCMAKE_BUILD_TYPE=Release -DTRACEMESH_BUILD_TESTS=OFF \
	  -DCMAKE_INSTALL_PREFIX=$(PREFIX)
	cmake --build $(BUILD)/release -j $(JOBS)
	cmake --install $(BUILD)/release

clean:
	rm -rf $(BUILD)
