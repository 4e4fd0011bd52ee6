#!/bin/bash
# nixie.sh demo|test - the two commands of the README.
#   demo: install what is needed, build, open nixie on the bundled demo mailbox
#   test: install what is needed, build, run every test (also under ASan/UBSan
#         and in a second locale); the last line is "N passed, N failed"
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-demo}
sh scripts/install-deps.sh

. scripts/lib.sh

case "$mode" in
demo)
    meson_dir build
    ninja -C build
    exec ./build/ui/nixie --demo
    ;;
test)
    exec bash scripts/run-tests.sh
    ;;
*)
    echo "usage: $0 demo|test" >&2
    exit 2
    ;;
esac
