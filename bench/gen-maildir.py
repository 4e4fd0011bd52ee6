#!/usr/bin/env python3
"""gen-maildir.py - write an N-message Maildir for benchmarks.

Messages look like real mail: a Received chain, DKIM signatures on some,
RFC 2047 subjects and names on some, threads (In-Reply-To/References),
bodies of about 2-8 KB, and about a quarter multipart (alternative, or mixed
with a small base64 attachment).  About 10% are in new/, the rest in cur/
with Maildir flags.  Output is deterministic for a given --seed.

usage: gen-maildir.py DIR N [--seed S] [--folders]
  --folders  also create Maildir++ folders .Sent and .Lists.nixie-dev
"""
import argparse
import base64
import os
import random
import sys

WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there been one all we their has would when "
         "mail bounce server delivery queue message folder maildir index thread reply patch "
         "review release build test config terminal screen render cache header envelope").split()
NAMES = ["Alice Martin", "Bob Nguyen", "Carol Schmidt", "Dave O'Brien", "Eve Dubois",
         "Frank Müller", "Grace Hopper", "Heidi Klum", "Ivan Petrov", "Judy Chen",
         "José García", "Zoë Smith", "田中 太郎", "Ольга Иванова"]
DOMAINS = ["example.org", "example.com", "example.net", "lists.example.org", "mail.example.io"]


def words(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n))


def q_encode(text):
    """RFC 2047 B-encoding of non-ASCII text."""
    if all(ord(c) < 128 for c in text):
        return text
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def address(rng):
    name = rng.choice(NAMES)
    local = name.split()[0].lower().encode("ascii", "ignore").decode() or "user"
    addr = "%s@%s" % (local, rng.choice(DOMAINS))
    if rng.random() < 0.15:
        return addr
    enc = q_encode(name)
    return '%s <%s>' % (enc if enc != name else '"%s"' % name, addr)


def date(rng, i):
    t = 1600000000 + i * 317 + rng.randrange(300)
    import time
    tm = time.gmtime(t)
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", tm)


def body_text(rng, size):
    lines, total = [], 0
    while total < size:
        line = words(rng, rng.randrange(6, 14))
        if rng.random() < 0.1:
            line = "> " + line
        lines.append(line)
        total += len(line) + 1
    return "\n".join(lines) + "\n"


def headers(rng, i, msgids):
    h = []
    for hop in range(rng.randrange(2, 6)):
        h.append("Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\n\tby mx.example.net "
                 "(Postfix) with ESMTPS id %08X\n\tfor <me@example.net>; %s"
                 % (hop, rng.choice(DOMAINS), hop, rng.choice(DOMAINS), rng.randrange(1, 255),
                    rng.randrange(1 << 32), date(rng, i)))
    if rng.random() < 0.4:
        sig = base64.b64encode(rng.randbytes(128)).decode()
        h.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=s1;\n\t"
                 "h=from:to:subject:date:message-id; bh=%s;\n\tb=%s"
                 % (rng.choice(DOMAINS), sig[:44], "\n\t ".join(sig[k:k + 60]
                                                             for k in range(0, len(sig), 60))))
    h.append("From: " + address(rng))
    h.append("To: " + ", ".join(address(rng) for _ in range(rng.randrange(1, 3))))
    if rng.random() < 0.3:
        h.append("Cc: " + address(rng))
    subj = words(rng, rng.randrange(3, 9))
    if rng.random() < 0.15:
        subj = q_encode(subj + " — " + rng.choice(NAMES))
    mid = "%d.%d@%s" % (i, rng.randrange(1 << 30), rng.choice(DOMAINS))
    if msgids and rng.random() < 0.4:
        parent = rng.choice(msgids[-50:])
        h.append("Subject: Re: " + subj)
        h.append("In-Reply-To: <%s>" % parent)
        h.append("References: <%s>" % parent)
    else:
        h.append("Subject: " + subj)
    h.append("Date: " + date(rng, i))
    h.append("Message-ID: <%s>" % mid)
    msgids.append(mid)
    return h


def message(rng, i, msgids):
    h = headers(rng, i, msgids)
    size = rng.randrange(1500, 7000)
    kind = rng.random()
    h.append("MIME-Version: 1.0")
    if kind < 0.75:
        h.append("Content-Type: text/plain; charset=utf-8")
        h.append("Content-Transfer-Encoding: 8bit")
        return "\n".join(h) + "\n\n" + body_text(rng, size)
    b = "=_b%d_%d" % (i, rng.randrange(1 << 20))
    if kind < 0.9:
        h.append('Content-Type: multipart/alternative; boundary="%s"' % b)
        text = body_text(rng, size // 2)
        html = "<html><body><p>" + text.replace("\n", "</p>\n<p>") + "</p></body></html>\n"
        parts = ["Content-Type: text/plain; charset=utf-8\n\n" + text,
                 "Content-Type: text/html; charset=utf-8\n\n" + html]
    else:
        h.append('Content-Type: multipart/mixed; boundary="%s"' % b)
        att = base64.encodebytes(rng.randbytes(size // 3)).decode()
        parts = ["Content-Type: text/plain; charset=utf-8\n\n" + body_text(rng, size // 2),
                 "Content-Type: application/octet-stream; name=\"data-%d.bin\"\n"
                 "Content-Disposition: attachment; filename=\"data-%d.bin\"\n"
                 "Content-Transfer-Encoding: base64\n\n%s" % (i, i, att)]
    body = "This is a multi-part message in MIME format.\n"
    for p in parts:
        body += "--%s\n%s" % (b, p)
    body += "--%s--\n" % b
    return "\n".join(h) + "\n\n" + body


def write_folder(path, n, rng, start=0):
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    msgids = []
    for i in range(n):
        data = message(rng, start + i, msgids).encode()
        uniq = "%d.M%dP%dQ%d.bench,S=%d" % (1600000000 + start + i, rng.randrange(999999),
                                             4242, start + i, len(data))
        if rng.random() < 0.1:
            name = os.path.join(path, "new", uniq)
        else:
            flags = "".join(f for f, p in (("F", 0.05), ("R", 0.2), ("S", 0.9)) if rng.random() < p)
            name = os.path.join(path, "cur", uniq + ":2," + flags)
        with open(name, "wb") as f:
            f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--folders", action="store_true")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    write_folder(a.dir, a.n, rng)
    if a.folders:
        write_folder(os.path.join(a.dir, ".Sent"), max(1, a.n // 20), rng, a.n)
        write_folder(os.path.join(a.dir, ".Lists.nixie-dev"), max(1, a.n // 10), rng, 2 * a.n)
    print("wrote %d messages to %s" % (a.n, a.dir), file=sys.stderr)


if __name__ == "__main__":
    main()
