#!/usr/bin/env python3
"""Runs `ditto dedup` and `ditto diff` over generated hostile inputs and option soup (a fixed
seed, so every run is the same) and checks what must hold whatever the input: no crash (no
death by a signal), no hang, an exit status of 0, 1 or 2, a message on standard error for 1 and
2, and no output file or temporary file left after a failure.

Usage: fuzz_cli.py DITTO WORK_DIR [LARGE_BYTES]
LARGE_BYTES (as for the other tool tests) scales the number of cases down under sanitizers.
A failing case is saved under WORK_DIR/failures with the command that reproduces it."""

import concurrent.futures
import json
import os
import random
import shlex
import shutil
import subprocess
import sys

DITTO, WORK = (os.path.abspath(a) for a in sys.argv[1:3])
LARGE = int(sys.argv[3]) if len(sys.argv) > 3 else 1 << 30
CASES = 2400 if LARGE >= 1 << 30 else 300
SEED = 20261128
TIMEOUT = 60

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda 42 3,14 Straße мир 中文".split()


# ---- Inputs ----

def words(r, n):
    return " ".join(r.choice(WORDS) for _ in range(n))


def json_value(r, depth=0):
    k = r.randrange(9 if depth < 4 else 5)
    if k == 0:
        return r.choice(["0", "-1", "1e999999", "123456789012345678901234567890", "-0.0e-5", "1.5E+3"])
    if k == 1:
        return json.dumps(words(r, r.randrange(6)))
    if k == 2:
        return r.choice(["true", "false", "null"])
    if k == 3:
        return '"' + "".join(r.choice(['\\n', '\\t', '\\"', '\\\\', '\\u00e9', '\\ud83d\\ude00', '\\ud800', '\\u0000',
                                       '\\u001b', 'x', ' ']) for _ in range(r.randrange(8))) + '"'
    if k == 4:
        return '"' + r.choice(["\x1b[31m", "\x7f", "\u009b", "\u202e", "caf\u00e9"]) + '"'
    if k in (5, 6):
        return "[" + ", ".join(json_value(r, depth + 1) for _ in range(r.randrange(4))) + "]"
    return "{" + ", ".join(f'"{r.choice(["a", "b", "text", "id"])}": {json_value(r, depth + 1)}'
                           for _ in range(r.randrange(4))) + "}"


def record(r, n):
    fields = []
    if r.random() < 0.9:
        fields.append('"text": ' + (json.dumps(words(r, r.randrange(1, 12))) if r.random() < 0.9 else json_value(r)))
    if r.random() < 0.7:
        fields.append('"id": ' + r.choice([json.dumps(f"d{r.randrange(n)}"), str(r.randrange(n)), json_value(r),
                                           json.dumps("\x1b]0;x\x07"), str(n + 1)]))
    if r.random() < 0.3:
        fields.append(f'"extra": {json_value(r)}')
    r.shuffle(fields)
    return "{" + ", ".join(fields) + "}"


def hostile_bytes(r):
    n = r.randrange(1, 40)
    lines = [record(r, n).encode() for _ in range(n)]
    k = r.randrange(12)
    if k == 0:
        return bytes(r.randrange(256) for _ in range(r.randrange(300)))
    if k == 1:  # truncated anywhere
        data = b"\n".join(lines)
        return data[:r.randrange(len(data) + 1)]
    if k == 2:  # deep nesting
        depth = r.choice([10, 511, 512, 513, 3000])
        return b'{"text": "x", "n": ' + b"[" * depth + b"]" * depth + b"}\n"
    if k == 3:  # byte order marks, UTF-16 and UTF-32
        text = b"\n".join(lines).decode("utf-8", "replace")
        return r.choice([b"\xef\xbb\xbf" + text.encode(), b"\xff\xfe" + text.encode("utf-16-le"),
                         text.encode("utf-16-be"), text.encode("utf-32"), b"\xfe\xff"])
    if k == 4:  # flipped, dropped and inserted bytes
        data = bytearray(b"\n".join(lines))
        for _ in range(r.randrange(1, 8)):
            if data:
                i = r.randrange(len(data))
                op = r.randrange(3)
                if op == 0:
                    data[i] = r.randrange(256)
                elif op == 1:
                    del data[i]
                else:
                    data.insert(i, r.choice(b'\x00\r\n"\\{}[],:\x1b\xc2\xff'))
        return bytes(data)
    if k == 5:  # line ends and blank lines
        return r.choice([b"\r\n", b"\n\n", b"\n", b" \t\n"]).join(lines) + r.choice([b"", b"\n", b"\r\n", b"\r"])
    if k == 6:  # one long line
        return ('{"text": "' + words(r, r.randrange(2000, 20000)) + '"}\n').encode()
    if k == 7:  # many copies of one text
        line = record(r, 1).encode() + b"\n"
        return line * r.randrange(2, 200)
    return b"\n".join(lines) + b"\n"


# ---- Options ----

# Per option: values in range, then values out of range or malformed (drawn less often).
VALUES = {
    "--threshold": (["0.5", "0.8", "1", "1e-1", "0.3"], ["0", "-1", "1.5", "nan", "inf", "1e-9", "0.03", "abc", ""]),
    "--ngram": (["1", "2", "5", "1024"], ["0", "1025", "x", "-3"]),
    "--sketch-size": (["16", "128", "4096", "64"], ["1", "2", "4097", "0", "1e3"]),
    "--recall": (["0.5", "0.99", "0.9"], ["0", "1", "2", "0.999999999"]),
    "--keep": (["first", "longest"], ["last", ""]),
    "--threads": (["1", "2", "3"], ["0", "99999", "-1"]),
    "--text-field": (["text", "body"], ["id", ""]),
    "--id-field": (["id", "key"], ["text", ""]),
    "--invalid-utf8": (["replace", "error"], ["skip"]),
}
FLAGS = (["--skip-invalid", "--skip-invalid", "--pairs", "--clusters", "--report", "--explain", "-q", "--quiet", "-v"],
         ["--bogus", "-x", "--help=no", "--pairs=1"])


def dedup_options(r, scratch):
    args = []
    for _ in range(r.randrange(5)):
        bad = r.random() < 0.08
        if r.random() < 0.55:
            name = r.choice(list(VALUES))
            value = r.choice(VALUES[name][bad])
            args += [f"{name}={value}"] if r.random() < 0.3 else [name, value]
        else:
            args.append(r.choice(FLAGS[bad]))
    if r.random() < 0.03:
        args.append(r.choice(list(VALUES)))  # an option missing its value at the end
    output = None
    k = r.randrange(8)
    if k < 4:
        output = os.path.join(scratch, "out", "result.txt")
    elif k == 4:
        output = os.path.join(scratch, "out", "missing", "result.txt")
    elif k == 5:
        output = os.path.join(scratch, "out")  # a folder
    if output:
        args += [r.choice(["-o", "--output"]), output]
    return args, output


def diff_options(r):
    args = []
    for _ in range(r.randrange(4)):
        bad = r.random() < 0.08
        name = r.choice(["--json", "--json", "--color", "--ngram", "--window", "--text-field", "--id-field"])
        if bad and r.random() < 0.3:
            args.append(r.choice(["--bogus", "--json=1", "--color"]))
        elif name == "--color":
            args += [name, r.choice(["sometimes", ""] if bad else ["always", "never", "auto"])]
        elif name in ("--ngram", "--window"):
            args += [name, r.choice(["0", "2000", "x"] if bad else ["1", "3", "5", "8"])]
        elif name in ("--text-field", "--id-field"):
            args += [name, r.choice([""] if bad else ["text", "id", "key"])]
        else:
            args.append(name)
    return args


# ---- Running ----

def run_case(index):
    r = random.Random(SEED * 1000003 + index)
    scratch = os.path.join(WORK, f"case-{index}")
    tmp = os.path.join(scratch, "tmp")
    os.makedirs(tmp)
    os.makedirs(os.path.join(scratch, "out"))
    env = dict(os.environ, TMPDIR=tmp)
    stdin = None
    output = None
    if r.random() < 0.6:
        args, output = dedup_options(r, scratch)
        data = hostile_bytes(r)
        if r.random() < 0.5:
            stdin = data
            if r.random() < 0.5:
                args.append("-")
        else:
            path = os.path.join(scratch, "in.jsonl")
            with open(path, "wb") as f:
                f.write(data)
            args.append(path)
        if r.random() < 0.05:
            args.append("extra-operand")
        if r.random() < 0.1:
            r.shuffle(args)
            output = None  # "-o" may now take another argument as its value
        command = ["dedup"] + args
    else:
        operands = []
        for side in ("a", "b"):
            if r.random() < 0.5:
                path = os.path.join(scratch, f"{side}.txt")
                with open(path, "wb") as f:
                    f.write(hostile_bytes(r)[:2000] if r.random() < 0.5 else words(r, r.randrange(30)).encode())
                operands.append(path)
            else:
                path = os.path.join(scratch, f"{side}.jsonl")
                with open(path, "wb") as f:
                    f.write(hostile_bytes(r)[:4000])
                operands.append(path + "#" + r.choice(["d0", "1", "2", "0", "", "#", "x#y"]))
        if r.random() < 0.1:
            operands = operands[:r.randrange(2)] + (["-"] if r.random() < 0.5 else [])
            stdin = hostile_bytes(r)[:2000]
        command = ["diff"] + diff_options(r) + operands
    try:
        p = subprocess.run([DITTO] + command, input=stdin, capture_output=True, env=env, cwd=scratch, timeout=TIMEOUT)
        status, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        status, err = None, b""
    problems = []
    if status is None:
        problems.append(f"no exit within {TIMEOUT} s")
    elif status < 0:
        problems.append(f"killed by signal {-status}")
    elif status not in (0, 1, 2):
        problems.append(f"exit status {status}")
    elif status != 0 and not err.strip():
        problems.append(f"exit {status} without a message")
    if os.listdir(tmp):
        problems.append(f"left in TMPDIR: {os.listdir(tmp)}")
    out_folder = os.path.join(scratch, "out")
    left = [n for n in os.listdir(out_folder) if n != "missing"]
    if status != 0 and left:
        problems.append(f"left after a failure: {left}")
    if status == 0 and output and not os.path.isfile(output):
        problems.append("success without the output file")
    if status == 0 and [n for n in left if ".tmp-" in n]:
        problems.append(f"temporary left: {left}")
    if problems:
        saved = os.path.join(WORK, "failures", f"case-{index}")
        shutil.copytree(scratch, saved)
        if stdin is not None:
            with open(os.path.join(saved, "stdin"), "wb") as f:
                f.write(stdin)
        shutil.rmtree(scratch)
        where = f"(cd {shlex.quote(scratch)} && {DITTO} {shlex.join(command)}" + (" < stdin" if stdin is not None else "") + ")"
        return command[0], status, f"case {index}: {'; '.join(problems)}: {where}\n    {err[-300:]!r}"
    shutil.rmtree(scratch)
    return command[0], status, None


if os.path.isdir(WORK):
    shutil.rmtree(WORK)
os.makedirs(WORK)
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    results = list(pool.map(run_case, range(CASES)))
bad = [x for _, _, x in results if x]
for x in bad[:20]:
    print(x)
for command in ("dedup", "diff"):
    statuses = [s for c, s, _ in results if c == command]
    print(f"{command}: {len(statuses)} runs, exit 0: {statuses.count(0)}, 1: {statuses.count(1)}, 2: {statuses.count(2)}")
print(f"{CASES} cases, {len(bad)} failed (seed {SEED})")
sys.exit(1 if bad else 0)
