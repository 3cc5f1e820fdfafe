"""What the end-to-end tests of the `ditto` program share: running it, writing inputs, and cases
that report every failure rather than stopping at the first.

A test script calls setup(ditto, work) first, decorates each case with @case, and ends with
finish()."""

import json
import os
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


def jsonl(*records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def finish():
    print(f"{len(failures)} failed" if failures else "all passed")
    sys.exit(1 if failures else 0)
