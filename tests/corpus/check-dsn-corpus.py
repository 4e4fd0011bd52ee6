#!/usr/bin/env python3
"""Corpus test for the DSN engine (meson suite `corpus`).

usage: check-dsn-corpus.py NIXIE_EXECUTABLE

Runs `nixie bounce --json` over every file of $NIXIE_CORPUS (files.tsv),
scores the output with $NIXIE_CORPUS/score.py and fails (exit 1) if
  - a labelled bounce (kind=dsn) is not detected,
  - a negative (kind=negative) gets a recipient line,
  - fewer than 97 % of the labelled recipients get the labelled status
    (pseudo codes excluded) or fewer than 90 % the labelled reason,
  - a figure falls below the baseline recorded in BASELINE (the ratchet:
    raise it in the commit that improves it),
  - nixie crashes on any file, or the table output lets a control byte through.
Exit 77 (skipped) when the corpus is not there.
"""
import csv, json, os, subprocess, sys, tempfile

# Recorded figures (counts over the labelled rows of the dev corpus).
BASELINE = {'status_exact': 332, 'reason': 404, 'recipient_set_exact': 411,
            'original_message_id': 329}
REQUIRED = {'status_exact': 0.97, 'reason': 0.90}


def run_nixie(exe, args, out):
    """nixie bounce ARGS in chunks; returns the list of return codes."""
    codes = []
    for i in range(0, len(args), 200):
        p = subprocess.run([exe, 'bounce'] + args[i:i + 200], stdout=out,
                           stderr=subprocess.PIPE, timeout=600)
        codes.append(p.returncode)
        if p.returncode < 0:
            sys.stderr.write(p.stderr.decode('utf-8', 'replace'))
    return codes


def main():
    exe = sys.argv[1]
    corpus = os.environ.get('NIXIE_CORPUS', '')
    if not os.path.exists(os.path.join(corpus, 'files.tsv')):
        print(f'corpus not found at {corpus!r}: skipped')
        return 77
    rows = list(csv.DictReader(open(os.path.join(corpus, 'files.tsv'), newline=''), delimiter='\t'))
    paths = [os.path.join(corpus, r['file']) for r in rows]
    work = os.environ.get('NIXIE_BUILDDIR') or tempfile.mkdtemp()
    preds = os.path.join(work, 'dsn-corpus-preds.jsonl')
    failures = []

    with open(preds, 'wb') as out:
        for i in range(0, len(paths), 200):
            p = subprocess.run([exe, 'bounce', '--json'] + paths[i:i + 200], stdout=out,
                               stderr=subprocess.PIPE, timeout=600)
            if p.returncode != 0:
                failures.append(f'nixie bounce --json exited {p.returncode}: '
                                + p.stderr.decode('utf-8', 'replace')[:500])

    # table output: no control byte may reach a terminal
    with tempfile.TemporaryFile() as tab:
        if any(c != 0 for c in run_nixie(exe, paths, tab)):
            failures.append('nixie bounce (table) failed or crashed')
        tab.seek(0)
        data = tab.read()
        bad = [b for b in set(data) if (b < 0x20 and b not in (0x0a,)) or b == 0x7f]
        if bad:
            failures.append(f'table output holds control bytes {sorted(bad)}')

    score_json = os.path.join(work, 'dsn-corpus-score.json')
    p = subprocess.run([sys.executable, os.path.join(corpus, 'score.py'), preds, '--corpus', corpus,
                        '--json', score_json, '--details'], capture_output=True, text=True)
    print(p.stdout)
    if p.returncode != 0:
        print(p.stderr)
        return 1
    allfig = json.load(open(score_json))['ALL']

    # detection of labelled bounces and negatives, from our own lines
    flagged = set()
    for line in open(preds, encoding='utf-8'):
        o = json.loads(line)
        if o.get('is_dsn') is not False:
            flagged.add(os.path.relpath(o['file'], corpus))
    for r in rows:
        if r['kind'] == 'dsn' and r['labelled'] == '1' and r['file'] not in flagged:
            failures.append(f'labelled bounce not detected: {r["file"]}')
        if r['kind'] == 'negative' and r['file'] in flagged:
            failures.append(f'negative taken for a bounce: {r["file"]}')

    for name, need in REQUIRED.items():
        if (allfig[name]['rate'] or 0) < need:
            failures.append(f'{name} {allfig[name]["rate"]:.3f} below the required {need}')
    for name, base in BASELINE.items():
        got = allfig[name]['n']
        if got < base:
            failures.append(f'{name} {got} below the recorded baseline {base}')
        elif got > base:
            print(f'note: {name} {got} beats the baseline {base}: raise BASELINE')

    print('figures: ' + ', '.join(f'{k} {v["rate"] * 100:.1f}% ({v["n"]}/{v["of"]})'
                                  for k, v in allfig.items() if v['rate'] is not None))
    for f in failures:
        print('FAIL:', f)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
