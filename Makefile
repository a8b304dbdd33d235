# Thin wrapper over CMake presets: `make demo` and `make test` are the README's contract.
PRESET ?= release
JOBS   ?= $(shell nproc)

.PHONY: all bootstrap build test demo deb check check-asan check-tsan fuzz clean

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

# build/corocrawl_VERSION_amd64.deb: the binary, the library with its headers and CMake package, the
# man page, the completions, README and licence; Depends: from dpkg-shlibdeps (cmake/packaging.cmake).
deb: build
	@cpack -G DEB --config build/$(PRESET)/CPackConfig.cmake -B build > build/cpack.log 2>&1 \
	    || { cat build/cpack.log; exit 1; }
	@rm -rf build/_CPack_Packages
	@ls build/corocrawl_*_amd64.deb

# The whole suite again under AddressSanitizer + UBSan, then ThreadSanitizer (each its own target,
# so CI can run the ASan half alone).
check: check-asan check-tsan

check-asan check-tsan: check-%: bootstrap
	@cmake --preset $* >/dev/null
	@cmake --build --preset $* -j $(JOBS)
	@ctest --preset $* -j $(JOBS)

# Each libFuzzer target for FUZZ_SECONDS, from its seed corpus (tests/fuzz/corpus/<target>/);
# what it discovers goes to build/fuzz/corpus/<target>/, crashes to build/fuzz/artifacts/.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/bootstrap clang-14 libclang-rt-14-dev
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@for target in url response html_xpath css; do \
	    mkdir -p build/fuzz/corpus/$$target build/fuzz/artifacts && \
	    echo "fuzz: $$target for $(FUZZ_SECONDS) s" && \
	    build/fuzz/tests/fuzz/$${target}_fuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	        -rss_limit_mb=2048 -print_final_stats=1 \
	        -artifact_prefix=build/fuzz/artifacts/$$target- \
	        $$(test -f tests/fuzz/$$target.dict && echo -dict=tests/fuzz/$$target.dict) \
	        build/fuzz/corpus/$$target tests/fuzz/corpus/$$target || exit 1; \
	done

clean:
	@rm -rf build
