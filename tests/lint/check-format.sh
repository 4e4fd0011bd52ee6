#!/bin/bash
# check-format.sh SRCDIR - every C file is formatted with the repository's
# .clang-format (exit 77, skipped, when clang-format is not installed).
set -uo pipefail
cd "$1"
command -v clang-format >/dev/null || exit 77
bad=0
while IFS= read -r f; do
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "not clang-formatted: $f (run: clang-format -i $f)"
        bad=1
    fi
done < <(git ls-files '*.c' '*.h')
[ "$bad" -eq 0 ] && echo "format OK"
exit "$bad"
