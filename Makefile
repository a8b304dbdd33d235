# Thin wrapper over CMake presets: `make demo` and `make test` are the README's contract.
PRESET ?= release
JOBS   ?= $(shell nproc)

.PHONY: all bootstrap build test demo clean

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

clean:
	@rm -rf build
