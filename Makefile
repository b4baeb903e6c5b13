# Everyday commands.  `make demo` and `make test` work on a fresh Debian
# machine: they install missing Debian packages first (tools/ensure-deps).
LUA        ?= lua5.4
BUILD      ?= build
BUILD_ASAN ?= build-asan
JOBS       ?= 2

.PHONY: all deps build build-asan test test-fast test-asan demo bench-sign bench fuzz valgrind lint clean

all: build

deps:
	@tools/ensure-deps

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

$(BUILD_ASAN)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DLAM_SANITIZE=ON -DLAM_BUILD_BENCH=OFF >/dev/null

build-asan: deps $(BUILD_ASAN)/Makefile
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# The whole suite: C tests (ctest) and busted specs, on the normal build and
# again on the ASan+UBSan build.  Ends with the tally `N passed, N failed`.
test: build build-asan
	@tools/run-tests $(BUILD) $(BUILD_ASAN)

# Normal build only (quicker while developing).
test-fast: build
	@tools/run-tests $(BUILD)

test-asan: build-asan
	@tools/run-tests $(BUILD_ASAN)

demo: build
	@tools/demo $(BUILD)

bench-sign: build
	@bench/sign.sh $(BUILD)

# remove_permission against the raw libcurl floor and boto3, cold start,
# memory growth, signing, callgrind per call (bench/README.md).
bench: build
	@tools/ensure-deps python3-boto3 valgrind
	@bench/run.sh $(BUILD)

# libFuzzer targets (clang), each run for FUZZ_SECONDS; fails on a crash.
FUZZ_SECONDS ?= 20
fuzz:
	@tools/ensure-deps clang libclang-rt-14-dev
	@tools/fuzz $(FUZZ_SECONDS)

# C tests and busted specs under valgrind: fails on definite/indirect leaks.
valgrind: build
	@tools/ensure-deps valgrind
	@tools/valgrind-test $(BUILD)

lint:
	luacheck lua spec bench examples tools/lambda-local

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) build-fuzz
