# Thin wrapper over CMake presets: `make demo` and `make test` are the README's contract.
PRESET ?= release
JOBS   ?= $(shell nproc)

.PHONY: all bootstrap build test demo check clean

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

# The whole suite again under AddressSanitizer + UBSan, then ThreadSanitizer.
check: bootstrap
	@for preset in asan tsan; do \
	    cmake --preset $$preset >/dev/null && \
	    cmake --build --preset $$preset -j $(JOBS) && \
	    ctest --preset $$preset -j $(JOBS) || exit 1; \
	done

clean:
	@rm -rf build
