#!/bin/sh
# cli-render.sh NIXIE EML PREFIX [--all-headers|--prefer-html] WIDTH...
# `nixie render --styles --width N` must print exactly <PREFIX>.w<N>.rdoc:
# the batch command shows what the goldens (and the pager) show.
set -u
nixie=$1 eml=$2 prefix=$3
shift 3
opts=
widths=
for a in "$@"; do
    case $a in
    --*) opts="$opts $a" ;;
    *) widths="$widths $a" ;;
    esac
done
rc=0
for w in $widths; do
    # shellcheck disable=SC2086 # opts are single words
    if "$nixie" render --styles --width "$w" $opts "$eml" | cmp -s - "$prefix.w$w.rdoc"; then
        echo "ok $prefix.w$w.rdoc"
    else
        echo "FAIL: nixie render --styles --width $w$opts $eml differs from $prefix.w$w.rdoc"
        rc=1
    fi
done
exit $rc
