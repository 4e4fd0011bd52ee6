#!/usr/bin/env python3
"""check-bounce-cli.py NIXIE -- `nixie bounce` as a user runs it.

A hostile bounce (escape sequences, C1 controls, U+2028, invalid UTF-8,
quotes and backslashes in the diagnostic and the subject) must give JSON
lines that parse, keep every key of the issue, escape every control and
decode back to the text the report carried; the table output must carry no
control byte; an unreadable path gives a clear error and exit 1 while the
other paths are still processed; a failed write of the output is an error.
"""
import json, os, subprocess, sys, tempfile

KEYS = ['file', 'kind', 'recipient', 'original_recipient', 'action', 'status',
        'reply_code', 'reason', 'hard', 'diagnostic', 'remote_mta', 'reporting_mta',
        'envelope_id', 'original_message_id', 'original_subject', 'source']

# Diagnostic: ESC, a C1 CSI (U+009B), U+2028, a quote, a backslash, a TAB and
# one invalid byte (0xff); subject with a DEL; the file name holds an ESC.
BOUNCE = (b'From: MAILER-DAEMON@mx.example.org\n'
          b'To: alice@example.com\n'
          b'Subject: Undelivered Mail Returned to Sender\n'
          b'MIME-Version: 1.0\n'
          b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n'
          b'\n--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n'
          b'\n--B\nContent-Type: message/delivery-status\n\n'
          b'Reporting-MTA: dns; mx.example.org\n\n'
          b'Final-Recipient: rfc822; bob@example.net\n'
          b'Action: failed\nStatus: 5.1.1\n'
          b'Diagnostic-Code: smtp; 550 5.1.1 "bob"\\ \x1b[31mred\x1b[0m \xc2\x9b2J'
          b' \xe2\x80\xa8x \ttab \xff end\n'
          b'\n--B\nContent-Type: text/rfc822-headers\n\n'
          b'Message-ID: <o@example.com>\nSubject: hi\x7f there\n'
          b'\n--B--\n')

ORDINARY = b'From: a@example.com\nTo: b@example.com\nSubject: lunch\n\nNoon?\n'


def fail(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def run(exe, args):
    p = subprocess.run([exe, 'bounce'] + args, capture_output=True)
    return p.returncode, p.stdout, p.stderr


def check_json(exe, bounce, ordinary, missing):
    rc, out, err = run(exe, ['--json', bounce, missing, ordinary])
    if rc != 1:
        fail(f'exit {rc} with an unreadable path among others, want 1')
    if b'cannot open' not in err or missing.encode() not in err:
        fail(f'no clear error for the missing path: {err!r}')
    for b in out:
        if b < 0x20 and b != 0x0a or b == 0x7f:
            fail(f'raw control byte {b:#x} in the JSON output')
    lines = [json.loads(l) for l in out.decode('utf-8').splitlines()]
    if len(lines) != 2:
        fail(f'{len(lines)} JSON lines, want 2 (one recipient, one ordinary): {out!r}')
    rcpt, plain = lines
    if list(rcpt) != KEYS:
        fail(f'keys {list(rcpt)}')
    if plain != {'file': ordinary, 'is_dsn': False, 'kind': 'ordinary'}:
        fail(f'ordinary mail line {plain}')
    diag = rcpt['diagnostic']
    for piece in ['"bob"\\', '\u009b2J', '\u2028x', '\ufffd end']:
        if piece not in diag:
            fail(f'{piece!r} not carried in the diagnostic {diag!r}')
    if '\x1b' in diag or '\t' in diag:
        fail(f'the engine left ESC or TAB in the diagnostic {diag!r}')
    if rcpt['file'] != bounce:
        fail(f'file {rcpt["file"]!r}, want {bounce!r}')
    for esc in [b'\\u001b', b'\\u009b', b'\\u2028', b'\\"bob\\"\\\\']:
        if esc not in out:
            fail(f'{esc!r} not escaped in the output')
    if rcpt['reply_code'] != '550' or rcpt['status'] != '5.1.1' or rcpt['hard'] is not True:
        fail(f'reply code/status/hard: {rcpt}')
    if rcpt['original_subject'] != 'hi\x7f there' or b'\\u007f' not in out:
        fail(f'subject {rcpt["original_subject"]!r}')


def check_table(exe, bounce):
    rc, out, err = run(exe, [bounce])
    if rc != 0:
        fail(f'table output exit {rc}: {err!r}')
    bad = [b for b in out if (b < 0x20 and b != 0x0a) or b == 0x7f]
    if bad or b'\xc2\x9b' in out:  # C0, DEL and C1 controls (U+2028 is text here)
        fail(f'control bytes reached the terminal: {out!r}')
    if b'bob@example.net' not in out or b'5.1.1' not in out:
        fail(f'table lacks the recipient: {out!r}')


def check_files_from(exe, bounce, ordinary, missing, d):
    """--files-from LIST and --files-from=- give what the same paths on the
    command line give; an unreadable list is an error, the paths still run."""
    want = run(exe, ['--json', bounce, missing, ordinary])
    lst = os.path.join(d, 'list')
    with open(lst, 'wb') as f:  # an empty line is skipped, the last has no LF
        f.write(f'{bounce}\n\n{missing}\n{ordinary}'.encode())
    got = run(exe, ['--json', '--files-from', lst])
    if got != want:
        fail(f'--files-from gave {got!r}, the command line {want!r}')
    with open(lst, 'rb') as f:
        p = subprocess.run([exe, 'bounce', '--json', '--files-from=-'], stdin=f,
                           capture_output=True)
    if (p.returncode, p.stdout, p.stderr) != want:
        fail(f'--files-from=- gave {p!r}')
    rc, out, err = run(exe, ['--json', '--files-from', os.path.join(d, 'nolist'), ordinary])
    if rc != 1 or b'cannot open the file list' not in err or b'"ordinary"' not in out:
        fail(f'unreadable list: exit {rc}, {err!r}, {out!r}')
    rc, _, err = run(exe, ['--json', '--files-from'])
    if rc != 2 or b'--files-from needs a file' not in err:
        fail(f'--files-from without a file: exit {rc}, {err!r}')


def main():
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        bounce = os.path.join(d, 'b\x1b[2Jounce.eml')  # the name must be escaped too
        ordinary = os.path.join(d, 'ordinary.eml')
        with open(bounce, 'wb') as f:
            f.write(BOUNCE)
        with open(ordinary, 'wb') as f:
            f.write(ORDINARY)
        check_json(exe, bounce, ordinary, os.path.join(d, 'missing.eml'))
        check_files_from(exe, bounce, ordinary, os.path.join(d, 'missing.eml'), d)
        check_table(exe, bounce)
        rc, out, _ = run(exe, ['--json', ordinary])
        if rc != 0:
            fail(f'exit {rc} for ordinary mail, want 0')
        if os.path.exists('/dev/full'):  # a full disk: said, not silently lost
            with open('/dev/full', 'wb') as full:
                p = subprocess.run([exe, 'bounce', '--json', bounce], stdout=full,
                                   stderr=subprocess.PIPE)
            if p.returncode != 1 or b'cannot write the output' not in p.stderr:
                fail(f'write error: exit {p.returncode}, {p.stderr!r}')
    print('ok: nixie bounce JSON escaping, table sanitising, exit codes, --files-from')


if __name__ == '__main__':
    main()
