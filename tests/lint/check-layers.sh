#!/bin/bash
# check-layers.sh SRCDIR - the include graph as a checked fact: curses only in
# ui/, libetpan/OpenSSL/LMDB/notmuch only in mail/, render/ never includes
# ui/, mail/ never includes render/, ui/ or keymaps/ (docs/architecture.md).
set -uo pipefail
cd "$1"
bad=0
check() { # check DESCRIPTION REGEX PATHS...
    local what=$1 re=$2
    shift 2
    local hits
    hits=$(git ls-files "$@" 2>/dev/null | xargs -r grep -lE "$re" 2>/dev/null)
    if [ -n "$hits" ]; then
        echo "layering violation: $what:"
        echo "$hits" | sed 's/^/  /'
        bad=1
    fi
}
inc='^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]'
check "curses outside ui/" "${inc}(n)?curses" 'mail/*' 'render/*' 'keymaps/*'
check "libetpan outside mail/" "${inc}libetpan" 'render/*' 'ui/*' 'keymaps/*'
check "OpenSSL/LMDB/notmuch outside mail/" "${inc}(openssl/|lmdb\.h|notmuch\.h)" 'render/*' 'ui/*' 'keymaps/*'
check "mail/ includes an upper layer" "${inc}(render|ui|keymaps)/" 'mail/*'
check "render/ includes ui/ or keymaps/" "${inc}(ui|keymaps)/" 'render/*'
check "keymaps/ includes mail/ beyond base" "${inc}(mail/[a-z-]+\.h|render/|ui/)" 'keymaps/*'
check "mail/base includes mail/" "${inc}mail/[a-z-]+\.h" 'mail/base/*'
[ "$bad" -eq 0 ] && echo "include graph OK"
exit "$bad"
