#!/bin/bash
# run-tests.sh - build and run every meson test suite in three configurations:
# a normal build (C.UTF-8), an ASan/UBSan build (C.UTF-8) and the ASan build
# again in a non-English UTF-8 locale.  Prints "N passed, N failed" last.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
export NIXIE_REQUIRE_INTEGRATION=${NIXIE_REQUIRE_INTEGRATION:-1}

. scripts/lib.sh

count() { # count DIR LABEL: add the results of DIR's last meson test run
    local log=$1/meson-logs/testlog.json
    local ok bad
    ok=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["result"] in ("OK","EXPECTEDFAIL")))' "$log" 2>/dev/null || echo 0)
    bad=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["result"] not in ("OK","EXPECTEDFAIL","SKIP")))' "$log" 2>/dev/null || echo 1)
    echo "== $2: $ok passed, $bad failed"
    passed=$((passed + ok))
    failed=$((failed + bad))
}

run() { # run DIR LABEL LOCALE
    local dir=$1 label=$2 loc=$3
    rm -f "$dir/meson-logs/testlog.json"
    if ! ninja -C "$dir" >"$dir.build.log" 2>&1; then
        cat "$dir.build.log"
        echo "== $label: build failed"
        failed=$((failed + 1))
        return
    fi
    LC_ALL=$loc meson test -C "$dir" --print-errorlogs --num-processes 2 || true
    count "$dir" "$label"
}

meson_dir build
run build "gcc, C.UTF-8" C.UTF-8

meson_dir build-asan -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false
run build-asan "ASan/UBSan, C.UTF-8" C.UTF-8
run build-asan "ASan/UBSan, de_DE.UTF-8" de_DE.UTF-8

# clang: warnings as errors there too, and short libFuzzer runs of every
# fuzz target (seeded from the bounce corpus, read in place).
if command -v clang >/dev/null; then
    CC=clang meson_dir build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false
    rm -f build-fuzz/meson-logs/testlog.json
    if ninja -C build-fuzz >build-fuzz.build.log 2>&1; then
        LC_ALL=C.UTF-8 meson test -C build-fuzz --suite fuzz --print-errorlogs --num-processes 1 || true
        count build-fuzz "clang, libFuzzer"
    else
        cat build-fuzz.build.log
        echo "== clang, libFuzzer: build failed"
        failed=$((failed + 1))
    fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
