#!/usr/bin/env python3
"""firstscreen.py - time from start to the first index screen, and peak memory,
of a terminal mail client, measured the same way for every client.

The client runs in a pseudo-terminal of 100x30.  The clock starts just before
exec and stops when the text MARKER (a regular expression) has appeared in
what the client wrote to the terminal, escape sequences removed.  Then QUIT is
typed; peak memory is the child's ru_maxrss from wait4().

A run that times out is reported as such (and counted in no median).

usage: firstscreen.py [--runs N] [--quit KEYS] [--timeout S] MARKER -- CMD...
prints one line per run: seconds and peak MB, then the median.
"""
import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

ANSI = re.compile(rb"\x1b(\[[0-9;?>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78cDEHMNOZ])")


def run_once(cmd, marker, quit_keys, timeout, env):
    pid, fd = pty.fork()
    if pid == 0:
        # the size is set before exec, so no client starts at 0x0 and none
        # gets a SIGWINCH in the middle of its start-up
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        os.execvpe(cmd[0], cmd, env)
    start = time.monotonic()
    seen = b""
    found = None
    while time.monotonic() - start < timeout:
        r, _, _ = select.select([fd], [], [], 0.05)
        if not r:
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen = (seen + ANSI.sub(b"", chunk))[-20000:]
        if marker.search(seen.decode("utf-8", "replace")):
            found = time.monotonic() - start
            break
    try:
        os.write(fd, quit_keys.encode())
    except OSError:
        pass
    deadline = time.monotonic() + 10
    status = None
    while time.monotonic() < deadline:
        try:
            os.read(fd, 65536) if select.select([fd], [], [], 0.05)[0] else None
        except OSError:
            pass
        wpid, st, ru = os.wait4(pid, os.WNOHANG)
        if wpid == pid:
            status = ru
            break
    if status is None:
        os.kill(pid, signal.SIGKILL)
        _, _, status = os.wait4(pid, 0)
    os.close(fd)
    return found, status.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quit", default="q")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("marker")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    env = dict(os.environ, TERM="xterm-256color", LC_ALL="C.UTF-8")
    marker = re.compile(a.marker)
    times, mems = [], []
    for i in range(a.runs):
        t, mb = run_once(cmd, marker, a.quit, a.timeout, env)
        print(f"run {i + 1}: {'timeout' if t is None else f'{t:.3f} s'}, peak {mb:.1f} MB", file=sys.stderr)
        if t is not None:
            times.append(t)
        mems.append(mb)
    if times:
        print(f"{statistics.median(times):.3f} {max(mems):.1f}")
    else:
        print("timeout %.1f" % max(mems))
        sys.exit(1)


if __name__ == "__main__":
    main()
