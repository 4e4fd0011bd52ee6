#!/bin/sh
# bench-dsn.sh - DSN engine throughput: `nixie bounce --json` against Debian's
# sisimai (libsisimai-perl) on the same files, in the same run, on one core.
#
# usage: bench/bench-dsn.sh [NIXIE] [CORPUS] [REPEAT] [RUNS]
#   NIXIE   the nixie executable (default: build/ui/nixie); its build
#           directory's static libraries also build bench-dsn-engine.c
#   CORPUS  the bounce corpus (default: ../shared/corpus next to the tree)
#   REPEAT  how many times the file list is processed (default: 20)
#   RUNS    how many times each tool is timed, alternating (default: 3);
#           the medians are reported, since a VM's speed drifts between runs
#
# Both tools get every file of CORPUS/files.tsv REPEAT times in one process
# (start-up is paid once by each), as a list file each reads itself, pinned
# to CPU 0 with taskset when available.  Then bench-dsn-engine.c times the analysis path alone, in
# memory (no file I/O, no output): parse + dsn_analyze, and dsn_analyze only.
# Messages per second = files x REPEAT / CPU seconds (user+sys, so other
# load on the machine counts little).  nixie writes its JSON lines to
# /dev/null; sisimai builds its Sisimai::Fact objects (it has no cheaper
# mode), which is the comparable amount of work: parse, classify, extract.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
nixie=${1:-$here/build/ui/nixie}
corpus=${2:-$here/../shared/corpus}
repeat=${3:-20}
runs=${4:-3}

[ -x "$nixie" ] || { echo "bench-dsn: no nixie executable at $nixie (build it first)" >&2; exit 1; }
[ -f "$corpus/files.tsv" ] || { echo "bench-dsn: no corpus at $corpus" >&2; exit 1; }
perl -MSisimai -e 1 2>/dev/null || { echo "bench-dsn: perl Sisimai missing (apt-get install libsisimai-perl)" >&2; exit 1; }

pin=""
command -v taskset >/dev/null 2>&1 && pin="taskset -c 0"

list=$(mktemp)
trap 'rm -f "$list"' EXIT
tail -n +2 "$corpus/files.tsv" | cut -f1 | sed "s#^#$corpus/#" >"$list"
files=$(wc -l <"$list")
total=$((files * repeat))

# CPU seconds (user+sys) of a command and its children, to the millisecond:
# bash's `times` (getrusage) after it; GNU time prints hundredths, a few
# percent of nixie's run.
cpu_seconds() {
    bash -c '"$@" >/dev/null; times' _ "$@" | tail -n 1 |
        awk '{ split($1, u, "m"); split($2, s, "m"); printf "%.3f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }'
}

# the file list repeated, read by each tool in one process
args=$(mktemp)
trap 'rm -f "$list" "$args"' EXIT
i=0
while [ "$i" -lt "$repeat" ]; do cat "$list"; i=$((i + 1)); done >"$args"

# nixie reads the list itself (--files-from), as sisimai's loop below does;
# xargs handing it ~800 KB of arguments cost ~12 ms of CPU of its own (the
# runs before 2026-11-24 in docs/benchmarks.md counted that)
run_nixie() {
    cpu_seconds $pin "$nixie" bounce --json --files-from "$args"
}
run_sisimai() {
    cpu_seconds $pin perl -MSisimai -e '
        open(my $fh, "<", $ARGV[0]) or die;
        my @files = <$fh>; chomp @files;
        for my $f (@files) { my $v = Sisimai->make($f) }
    ' "$args"
}

times=""
i=0
while [ "$i" -lt "$runs" ]; do
    times="$times $(run_nixie) $(run_sisimai)"
    i=$((i + 1))
done

echo "$times" | awk -v n="$total" -v f="$files" -v r="$repeat" '
function median(v, k,    i, j, t) {
    for (i = 2; i <= k; i++) { t = v[i]; for (j = i - 1; j >= 1 && v[j] > t; j--) v[j + 1] = v[j]; v[j + 1] = t }
    return (k % 2) ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2;
}
{
    k = NF / 2;
    printf "corpus: %d files x %d = %d messages, one core, %d runs each\n", f, r, n, k;
    printf "%-10s %-28s %14s\n", "engine", "cpu s per run", "messages/s";
    for (i = 1; i <= k; i++) { a[i] = $(2 * i - 1); b[i] = $(2 * i); la = la sprintf(" %.3f", a[i]); lb = lb sprintf(" %.2f", b[i]) }
    ma = median(a, k); mb = median(b, k);
    printf "%-10s %-28s %14.0f\n", "nixie", la, (ma > 0) ? n / ma : 0;
    printf "%-10s %-28s %14.0f\n", "sisimai", lb, (mb > 0) ? n / mb : 0;
    if (ma > 0) printf "nixie / sisimai (medians): %.1fx\n", mb / ma;
    # each run of nixie against the sisimai run that followed it
    for (i = 1; i <= k; i++) if (a[i] > 0) { q = b[i] / a[i]; lo = (i == 1 || q < lo) ? q : lo; hi = (i == 1 || q > hi) ? q : hi }
    if (k > 1 && hi > 0) printf "nixie / sisimai (run by run): %.1fx to %.1fx\n", lo, hi;
}'

# the engine alone, in memory
builddir=$(cd "$(dirname "$nixie")/.." && pwd)
engine=$(mktemp)
trap 'rm -f "$list" "$args" "$engine"' EXIT
if cc -std=c11 -O2 -D_GNU_SOURCE -I"$here" -o "$engine" "$here/bench/bench-dsn-engine.c" \
    "$builddir/mail/libnixie-mail.a" "$builddir/mail/libnixie-base.a" \
    $(pkg-config --libs libetpan lmdb libssl libcrypto) -lnotmuch 2>/dev/null; then
    # shellcheck disable=SC2046
    $pin "$engine" "$repeat" $(cat "$list")
else
    echo "bench-dsn: could not build bench-dsn-engine.c against $builddir (skipped)" >&2
fi
