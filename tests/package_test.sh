#!/usr/bin/env bash
# The Debian package as a user gets it: CPack builds it, `dpkg -x` unpacks it into a scratch
# folder, and the unpacked binary crawls the bundled server (started from the same binary). Its
# Depends: is dpkg-shlibdeps' (it must name the libraries the binary links), its contents hold the
# man page, the completions, the library and the docs, and lintian reports no errors.
# Usage: package_test.sh BUILD_DIR VERSION
set -euo pipefail
build=$1 version=$2
scratch=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill $server 2>/dev/null; wait 2>/dev/null; rm -rf "$scratch"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

echo "== cpack -G DEB"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/out" > "$scratch/cpack.log" 2>&1; then
    cat "$scratch/cpack.log"; fail "cpack"
fi
deb=$scratch/out/corocrawl_${version}_amd64.deb
[ -f "$deb" ] || { ls "$scratch/out"; fail "no corocrawl_${version}_amd64.deb"; }

echo "== dpkg-deb -I"
dpkg-deb -I "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
for library in libc6 libssl3 libxml2 libc-ares2 libstdc++6; do
    tr ',' '\n' <<<"$depends" | awk '{print $1}' | grep -qxF "$library" \
        || fail "Depends: does not name $library: $depends"
done

echo "== dpkg-deb -c"
dpkg-deb -c "$deb" | awk '{print $6}' > "$scratch/contents"
for path in ./usr/bin/corocrawl ./usr/share/man/man1/corocrawl.1.gz \
            ./usr/share/bash-completion/completions/corocrawl \
            ./usr/share/zsh/vendor-completions/_corocrawl \
            ./usr/share/doc/corocrawl/copyright ./usr/share/doc/corocrawl/README.md \
            ./usr/include/corocrawl/crawler.hpp ./usr/lib/cmake/corocrawl/corocrawlConfig.cmake \
            ./usr/lib/libcorocrawl_engine.a; do
    grep -qx -- "$path" "$scratch/contents" || fail "$path is not in the package"
done

echo "== dpkg -x, then the unpacked binary"
dpkg -x "$deb" "$scratch/root"
bin=$scratch/root/usr/bin/corocrawl
"$bin" --version
"$bin" --version | head -1 | grep -qx "corocrawl $version" || fail "--version"
"$bin" serve --port 0 --delay 0.2 > "$scratch/serve.out" &
server=$!
for _ in $(seq 50); do grep -q serving "$scratch/serve.out" && break; sleep 0.1; done
base=$(awk '/^serving/ {print $2}' "$scratch/serve.out")
[ -n "$base" ] || fail "the unpacked serve did not start"
output=$("$bin" crawl "$base/bobo" "$base/jay" "$base/tom" -x '//a[@id="feng"]/@href')
echo "$output"
[ "$(grep -c '^http://www.haha.com$' <<<"$output")" -eq 3 ] || fail "expected 3 hrefs"
MANWIDTH=100 man -l "$scratch/root/usr/share/man/man1/corocrawl.1.gz" 2>&1 | grep -q 'corocrawl crawl' \
    || fail "the packaged man page does not render"

echo "== lintian"
command -v lintian > /dev/null || fail "lintian is missing: scripts/bootstrap installs it"
status=0
lintian --fail-on error --tag-display-limit 0 "$deb" > "$scratch/lintian.out" 2>&1 || status=$?
cat "$scratch/lintian.out"
! grep -q '^E: ' "$scratch/lintian.out" || fail "lintian reports errors"
[ "$status" -eq 0 ] || fail "lintian exit status $status"
echo "1 passed, 0 failed"
