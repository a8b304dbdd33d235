#!/usr/bin/env bash
# The layers' include paths are what keeps an include from running upward; a relative
# `#include "../..."` would walk round them, so none may exist in the library or the server.
set -euo pipefail
cd "$1"
if found=$(grep -rnE '^\s*#\s*include\s*"\.\./' include src test_server); then
    echo "relative includes walk round the layers:"; echo "$found"; echo "0 passed, 1 failed"; exit 1
fi
echo "1 passed, 0 failed"
