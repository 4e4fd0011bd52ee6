#!/bin/sh
# install-deps.sh - install every Debian 12 package nixie needs to build, run
# and test (idempotent, non-interactive).  Run as root or with sudo.
set -eu

if [ "$(id -u)" -ne 0 ]; then
    exec sudo "$0" "$@"
fi

PACKAGES="
    build-essential meson ninja-build pkg-config clang clang-format libclang-rt-14-dev
    libetpan-dev libncurses-dev ncurses-base ncurses-term libnotmuch-dev
    libssl-dev liblmdb-dev libinih-dev libcmocka-dev
    tmux w3m python3 locales
    mutt neomutt libsisimai-perl hyperfine
"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing
fi

# A non-English UTF-8 locale: the suite also runs under it.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -q '^de_DE.UTF-8 UTF-8' /etc/locale.gen || echo 'de_DE.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen >/dev/null
fi
