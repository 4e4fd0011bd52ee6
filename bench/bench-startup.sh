#!/bin/bash
# bench-startup.sh [N] - time from start to the first index screen, and peak
# memory, of nixie, mutt and neomutt on the same generated N-message Maildir
# (default 100000), with the files in the page cache, without and with each
# client's header cache.  Results: a Markdown table on stdout.
#
#   bash bench/bench-startup.sh 100000
#
# Needs a built nixie in build/ (meson setup build && ninja -C build), Debian's
# mutt and neomutt, and python3.  Scratch data goes to $BENCH_DIR (kept, and
# its Maildir reused next time) or else to a mktemp -d removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
runs=${RUNS:-3}
nixie=${NIXIE:-build/ui/nixie}
if [ -n "${BENCH_DIR:-}" ]; then
    work=$BENCH_DIR # kept, and its Maildir reused, for repeated runs
    mkdir -p "$work"
else
    work=$(mktemp -d /tmp/nixie-bench.XXXXXX)
    trap 'rm -rf "$work"' EXIT
fi
md=$work/maildir
rm -rf "$work"/*-hcache "$work"/nixie-hcache

if [ "$(find "$md/cur" "$md/new" -type f 2>/dev/null | wc -l)" -ne "$n" ]; then
    rm -rf "$md"
    echo "generating $n messages in $md ..." >&2
    python3 bench/gen-maildir.py "$md" "$n" >/dev/null
fi
find "$md" -type f -exec cat {} + >/dev/null # warm the page cache

# Each client opens the folder directly and shows "Msgs:N" on its status line.
marker="Msgs: *$n"
mkrc() { # mkrc FILE HCACHE|"" : a muttrc for mutt and neomutt
    {
        echo "set folder=$md"
        echo "set spoolfile=$md"
        echo "set record=''"
        echo "set mbox_type=Maildir"
        echo "set sort=date"
        echo "set mail_check_stats=no"
        if [ -n "$2" ]; then echo "set header_cache=$2"; fi
    } >"$1"
}
mkrc "$work/muttrc-nocache" ""
mkrc "$work/muttrc-cache" "$work/mutt-hcache"
mkrc "$work/neomuttrc-cache" "$work/neomutt-hcache"
printf 'header_cache_enable = no\n' >"$work/nixie-nocache"
printf 'header_cache = %s\n' "$work/nixie-hcache" >"$work/nixie-cache"

measure() { # measure LABEL CMD... : prints "seconds MB"
    local label=$1
    shift
    echo "$label ..." >&2
    python3 bench/firstscreen.py --runs "$runs" "$marker" -- "$@" || echo "timeout -"
}
warm() { # fill a header cache with one run
    python3 bench/firstscreen.py --runs 1 "$marker" -- "$@" >/dev/null 2>&1 || true
}

r_nixie_no=$(measure "nixie, no cache" "$nixie" -F "$work/nixie-nocache" -f "$md")
warm "$nixie" -F "$work/nixie-cache" -f "$md"
r_nixie_hc=$(measure "nixie, header cache" "$nixie" -F "$work/nixie-cache" -f "$md")
r_mutt_no=$(measure "mutt, no cache" mutt -n -F "$work/muttrc-nocache" -f "$md")
warm mutt -n -F "$work/muttrc-cache" -f "$md"
r_mutt_hc=$(measure "mutt, header cache" mutt -n -F "$work/muttrc-cache" -f "$md")
r_neo_no=$(measure "neomutt, no cache" neomutt -n -F "$work/muttrc-nocache" -f "$md")
warm neomutt -n -F "$work/neomuttrc-cache" -f "$md"
r_neo_hc=$(measure "neomutt, header cache" neomutt -n -F "$work/neomuttrc-cache" -f "$md")

row() { # row CLIENT NOCACHE CACHE
    set -- "$1" $2 $3
    printf '| %s | %s s | %s MB | %s s | %s MB |\n' "$1" "$2" "$3" "$4" "$5"
}
echo "| client ($n messages, $(nproc) cores) | first screen, no cache | peak memory | first screen, header cache | peak memory |"
echo "| --- | --- | --- | --- | --- |"
row "nixie $("$nixie" --version | head -1 | awk '{print $NF}')" "$r_nixie_no" "$r_nixie_hc"
row "mutt $(mutt -v | head -1 | awk '{print $2}')" "$r_mutt_no" "$r_mutt_hc"
row "neomutt $(neomutt -v | head -1 | awk '{print $2}')" "$r_neo_no" "$r_neo_hc"
