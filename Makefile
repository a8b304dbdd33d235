# Thin wrapper over CMake presets: `make demo` and `make test` are the README's contract.
PRESET ?= release
JOBS   ?= $(shell nproc)

.PHONY: all bootstrap build test demo check check-asan check-tsan clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)
	@ln -sfn $(PRESET)/corocrawl build/corocrawl

test: build
	@ctest --preset $(PRESET) -j $(JOBS)

demo: build
	@scripts/demo build/corocrawl

# The whole suite again under AddressSanitizer + UBSan, then ThreadSanitizer (each its own target,
# so CI can run the ASan half alone).
check: check-asan check-tsan

check-asan check-tsan: check-%: bootstrap
	@cmake --preset $* >/dev/null
	@cmake --build --preset $* -j $(JOBS)
	@ctest --preset $* -j $(JOBS)

clean:
	@rm -rf build
