"""What the end-to-end tests of the `ditto` program share: running it, writing inputs, and cases
that report every failure rather than stopping at the first.

A test script calls setup(ditto, work) first, decorates each case with @case, and ends with
finish()."""

import json
import os
import random
import re
import shutil
import subprocess
import sys

DITTO = WORK = None
failures = []


def setup(ditto, work):
    """Runs ditto as `ditto` in `work`, made anew (empty)."""
    global DITTO, WORK
    DITTO, WORK = ditto, work
    if os.path.isdir(WORK):
        shutil.rmtree(WORK)
    os.makedirs(WORK)


def run(args, stdin=None, check=None):
    p = subprocess.run([DITTO] + args, input=stdin, capture_output=True, cwd=WORK)
    if check is not None and p.returncode != check:
        raise AssertionError(f"ditto {' '.join(args)}: exit {p.returncode}, expected {check}\n{p.stderr.decode()}")
    return p


def write(name, data):
    path = os.path.join(WORK, name)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def case(fn):
    try:
        fn()
        print(f"ok    {fn.__name__}")
    except Exception as e:  # report every failing case, not just the first
        failures.append(fn.__name__)
        print(f"FAIL  {fn.__name__}: {e}")
    return fn


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def error(args, code, pattern, stdin=None):
    """ditto args exits with code, a message matching pattern on stderr and nothing on stdout."""
    p = run(args, stdin=stdin, check=code)
    message = p.stderr.decode()
    expect(re.search(pattern, message), f"message {message!r} does not match {pattern!r}")
    expect(p.stdout == b"", f"wrote {p.stdout!r} to stdout on error")


def manifest_sequence(paths):
    """The bytes a manifest naming these files is read as: each file in turn, without its UTF-8
    byte order mark, ending with a newline (one added after a last line without it)."""
    sequence = b""
    for path in paths:
        body = open(path, "rb").read()
        body = body[3:] if body.startswith(b"\xef\xbb\xbf") else body
        sequence += body + (b"\n" if body and not body.endswith(b"\n") else b"")
    return sequence


def jsonl(*records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def generated_corpus(seed=7, originals=900):
    """A web-shaped corpus, about 3 MB at 900 originals (three blocks at --memory 16M):
    near-copies with edits, a template family, a storm of copies of a cookie notice, and lines
    that test the reader (escapes, ill-formed UTF-8, a CRLF line, a byte order mark, ids of
    every kind, no final newline)."""
    g = random.Random(seed)
    vocabulary = ["w%d" % i for i in range(5000)] + ["caf\u00e9", "na\u00efve", "\u0436\u0443\u0440\u043d\u0430\u043b", "\u65b0\u805e"]
    lines = []
    number = 0

    def record(text, id_kind):
        nonlocal number
        number += 1
        r = {"text": text}
        if id_kind == 0:
            r["id"] = "doc-%d" % number
        elif id_kind == 1:
            r["id"] = 10**7 + number * 10  # not a line number
        # id_kind 2: no id, the line number names it
        return json.dumps(r, ensure_ascii=g.random() < 0.5)

    originals = [" ".join(g.choice(vocabulary) for _ in range(g.randint(30, 300))) for _ in range(originals)]
    template = " ".join("t%d" % i for i in range(80))
    for i, text in enumerate(originals):
        lines.append(record(text + ("\n\"quoted\"\tend" if i % 7 == 0 else ""), i % 3))
        for _ in range(g.choice([0, 0, 1, 2, 5])):
            words = text.split()
            for _ in range(max(1, len(words) // 40)):
                words[g.randrange(len(words))] = g.choice(vocabulary)
            lines.append(record(" ".join(words), g.randrange(3)))
        if i % 3 == 0:
            lines.append(record(template + " page %d %s" % (i, g.choice(vocabulary)), g.randrange(3)))
        if i % 9 == 0:
            for _ in range(200):
                lines.append(record("We use cookies to improve your experience", g.randrange(3)))
    body = "\n".join(lines).encode()
    # Ill-formed UTF-8 inside a text, a CRLF line, and an escaped line.
    extra = (b'{"text": "bad \xff byte in a text about ' + b"w1 w2 w3 w4 w5 w6" + b'", "id": "bad-utf8"}\r\n'
             b'{"text": "line\\nbreak \\u00e9 \\"q\\" w7 w8 w9 w10 w11", "id": "escaped"}\n')
    return b"\xef\xbb\xbf" + body + b"\n" + extra + record(originals[3], 0).encode()  # no final newline


def finish():
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)
