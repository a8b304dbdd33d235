#!/usr/bin/env bash
# The seed crawler example, built in-tree and again from an installed corocrawl through
# find_package, crawls the bundled server's three pages.
# Usage: example_test.sh CLI SEED_CRAWLER BUILD_DIR SOURCE_DIR [CXX_FLAGS LINKER_FLAGS]
# (the flags the library was built with: a sanitizer build's consumer must link the same runtime)
set -euo pipefail
cli=$1 seed=$2 build=$3 source=$4 cxx_flags=${5:-} linker_flags=${6:-}
scratch=$(mktemp -d)
"$cli" serve --port 0 --delay 0.3 > "$scratch/serve.out" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do grep -q serving "$scratch/serve.out" && break; sleep 0.1; done
base=$(awk '/^serving/ {print $2}' "$scratch/serve.out")

check() {  # the seed's output: three hrefs and the total time
    local output
    output=$("$@" "$base/bobo" "$base/jay" "$base/tom")
    echo "$output"
    [ "$(grep -c '^http://www.haha.com$' <<<"$output")" -eq 3 ] || { echo "FAIL: expected 3 hrefs"; exit 1; }
    grep -q '^total time: 0\.[0-9]* s$' <<<"$output" || { echo "FAIL: no total time under 1 s"; exit 1; }
}

check_site() {  # the site crawler: each of the 50 pages of a synthetic site once
    local output
    output=$("$1" "$base/site/page/0?n=50&fan=4&extras=0" 1000)
    [ "$(wc -l <<<"$output")" -eq 50 ] || { echo "$output"; echo "FAIL: expected 50 pages"; exit 1; }
    [ "$(cut -f2 <<<"$output" | sort -u | wc -l)" -eq 50 ] || { echo "FAIL: a page twice"; exit 1; }
    grep -q $'^0\tsite page 0\t' <<<"$output" || { echo "FAIL: no seed at depth 0"; exit 1; }
}

echo "== in-tree build"
check "$seed"
check_site "$(dirname "$seed")/site_crawler"

echo "== installed: cmake --install, then find_package(corocrawl) from a separate project"
cmake --install "$build" --prefix "$scratch/prefix" > /dev/null
cmake -S "$source/examples" -B "$scratch/consumer" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_CXX_FLAGS="$cxx_flags" \
      -DCMAKE_EXE_LINKER_FLAGS="$linker_flags" > /dev/null
cmake --build "$scratch/consumer" -j 2 > /dev/null
check "$scratch/consumer/seed_crawler"
check_site "$scratch/consumer/site_crawler"
echo "1 passed, 0 failed"
