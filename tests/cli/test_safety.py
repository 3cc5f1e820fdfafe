#!/usr/bin/env python3
"""End-to-end tests of how the `ditto` program treats its inputs, outputs and user: standard input
read once, `-o` semantics (checked first, symbolic links, devices, FIFOs, modes, atomic
replacement), no temporary file left after signals, options checked before reading, ids as one
namespace, control characters escaped, byte order marks and UTF-16, skipped lines in every output
mode, write errors on standard output, progress on a terminal, plurals.

Usage: test_safety.py DITTO SOURCE_DIR WORK_DIR [LARGE_BYTES]
LARGE_BYTES bounds the size of the large inputs (smaller under sanitizers)."""

import json
import os
import pty
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
LARGE = int(sys.argv[4]) if len(sys.argv) > 4 else 1 << 30
TMP = os.path.join(WORK, "tmpdir")  # the program's private TMPDIR: must stay empty
failures = []


def env():
    e = dict(os.environ)
    e["TMPDIR"] = TMP
    return e


def run(args, stdin=None, check=None, cwd=None, stdout=subprocess.PIPE):
    p = subprocess.run([DITTO] + args, input=stdin, stdout=stdout, stderr=subprocess.PIPE, cwd=cwd or WORK, env=env())
    if check is not None and p.returncode != check:
        raise AssertionError(f"ditto {' '.join(args)}: exit {p.returncode}, expected {check}\n{p.stderr.decode()}")
    return p


def write(name, data):
    path = os.path.join(WORK, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)
    return path


def read(path):
    with open(path, "rb") as f:
        return f.read()


def case(fn):
    try:
        began = time.time()
        fn()
        leftovers = os.listdir(TMP)
        if leftovers:
            raise AssertionError(f"left in TMPDIR: {leftovers}")
        print(f"ok    {fn.__name__} ({time.time() - began:.1f} s)")
    except Exception as e:  # report every failing case, not just the first
        failures.append(fn.__name__)
        print(f"FAIL  {fn.__name__}: {e}")
    return fn


def expect(cond, message):
    if not cond:
        raise AssertionError(message)


def temporaries(folder):
    return [n for n in os.listdir(folder) if ".tmp-" in n]


SIX = "alpha beta gamma delta epsilon zeta"


def jsonl(*records):
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def start(args, **kw):
    """Starts ditto with standard input a pipe left open."""
    return subprocess.Popen([DITTO] + args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            cwd=WORK, env=env(), **kw)


def exits_before_reading(args, code, pattern):
    """The program must stop with `code` while its standard input is still open and unread."""
    p = start(args)
    try:
        status = p.wait(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError(f"ditto {' '.join(args)}: still running with its input open (it read before checking)")
    finally:
        p.stdin.close()
    err = p.stderr.read().decode()
    p.stdout.close()
    p.stderr.close()
    expect(status == code, f"ditto {' '.join(args)}: exit {status}, expected {code}: {err}")
    expect(re.search(pattern, err), f"message {err!r} does not match {pattern!r}")


if os.path.isdir(WORK):
    shutil.rmtree(WORK)
os.makedirs(TMP)

DATA = jsonl({"id": "a", "text": SIX}, {"id": "b", "text": SIX}, {"id": "c", "text": "other words"})
KEPT = "".join(DATA.splitlines(True)[i] for i in (0, 2))


@case
def standard_input_is_read_once_whatever_it_is():
    source = write("stdin.jsonl", DATA)
    # A file named "-" in the working folder must never be read instead of standard input.
    write("-", jsonl({"id": "wrong", "text": "this file is not the input"}))
    for operands in ([], ["-"]):
        with open(source, "rb") as f:  # standard input is a regular file
            p = subprocess.run([DITTO, "dedup", "--quiet"] + operands, stdin=f, capture_output=True, cwd=WORK, env=env())
        expect(p.returncode == 0 and p.stdout.decode() == KEPT, f"{operands}: exit {p.returncode}, {p.stdout!r} {p.stderr!r}")
        p = run(["dedup", "--quiet"] + operands, stdin=DATA.encode(), check=0)  # a pipe
        expect(p.stdout.decode() == KEPT, f"{operands} from a pipe: {p.stdout!r}")
    os.remove(os.path.join(WORK, "-"))


@case
def kept_lines_are_the_bytes_that_were_analysed():
    # Lines the parser decodes (escapes in the text, the id and other fields; ill-formed UTF-8
    # whose replacement fits in place: a 3-byte maximal subpart) come out exactly as read.
    lines = [
        '{"id": "e\\u0301", "text": "line\\none \\"quoted\\" caf\\u00e9 \\ud83d\\ude00", "x": "\\t"}\r\n',
        '{"id": "e\\u0301-copy", "text": "line\\none \\"quoted\\" caf\\u00e9 \\ud83d\\ude00"}\n',
    ]
    raw = "".join(lines).encode() + b'{"id": "bad", "text": "broken \xf0\x90\x80 sequence and more words"}\n'
    raw += b'{"text": "plain ascii line without escapes at all"}'
    path = write("escapes.jsonl", raw)
    p = run(["dedup", "--quiet", path], check=0)
    expect(p.stdout == lines[0].encode() + raw.split(b"\n", 2)[2], f"got {p.stdout!r}")
    # Those lines are kept aside in an unnamed temporary file; without a usable TMPDIR, in memory.
    p = subprocess.run([DITTO, "dedup", "--quiet", path], capture_output=True, cwd=WORK,
                       env=dict(env(), TMPDIR=os.path.join(WORK, "no-such-folder")))
    expect(p.returncode == 0 and p.stdout == lines[0].encode() + raw.split(b"\n", 2)[2], f"no TMPDIR: {p!r}")
    # The file changes after it was read (before the output is opened): the output is still the
    # lines that were analysed. A FIFO as -o makes the program wait at the point of writing.
    syscall = f"/proc/{os.getpid()}/syscall"
    if not os.access(syscall, os.R_OK):
        print("      (no /proc/PID/syscall here: the changed-file part is not run)")
        return
    source = write("changing.jsonl", DATA)
    fifo = os.path.join(WORK, "kept.fifo")
    os.mkfifo(fifo)
    p = subprocess.Popen([DITTO, "dedup", "--quiet", "-o", fifo, source], stderr=subprocess.PIPE, cwd=WORK, env=env())
    deadline = time.time() + 30
    blocked = False
    while time.time() < deadline and p.poll() is None:
        try:
            with open(f"/proc/{p.pid}/syscall") as f:
                blocked = f.read().split(" ")[0] in ("2", "257")  # open, openat (x86-64)
        except OSError:
            pass
        if blocked:
            break
        time.sleep(0.01)
    if not blocked:
        p.kill()
        p.wait()
        raise AssertionError(f"the program never waited to open the FIFO (exit {p.returncode}: {p.stderr.read()!r})")
    with open(source, "r+b") as f:  # the same file, rewritten in place
        f.write(jsonl({"id": "injected", "text": "never analysed"}).encode() + DATA.encode())
    got = read(fifo)
    expect(p.wait(timeout=30) == 0, p.stderr.read().decode())
    p.stderr.close()
    expect(got.decode() == KEPT, f"got {got!r}")
    expect(stat.S_ISFIFO(os.lstat(fifo).st_mode), "the FIFO was replaced")


@case
def options_are_checked_before_any_input_is_read():
    exits_before_reading(["dedup", "--sketch-size", "1"], 2,
                         r"--recall 0\.995 cannot be reached with --sketch-size 1 at --threshold 0\.8 \(at most 0\.8\)")
    exits_before_reading(["dedup", "--threshold", "0.03"], 2,
                         r"--recall 0\.995 cannot be reached with --sketch-size 128 at --threshold 0\.03")
    exits_before_reading(["dedup", "--threshold", "0.5", "--sketch-size", "2", "--recall", "0.9"], 2,
                         r"use a larger --sketch-size")
    exits_before_reading(["dedup", "--ngram", "0"], 2, r"--ngram must be an integer")
    exits_before_reading(["dedup", "--threads", "x"], 2, r"--threads must be an integer")
    missing = os.path.join(WORK, "no-such-folder", "out.jsonl")
    exits_before_reading(["dedup", "-o", missing], 2, r"-o .*no-such-folder/out\.jsonl: cannot use the folder .*No such file")
    exits_before_reading(["dedup", "--output", WORK], 2, r"--output .*: is a folder")
    plain = write("plain.txt", "x")
    exits_before_reading(["dedup", "-o", plain + "/out.jsonl"], 2, r"-o .*plain\.txt/out\.jsonl: .*Not a directory")
    expect(not os.path.exists(missing), "created the output")
    if os.geteuid() == 0 and shutil.which("setpriv"):
        # Permissions are only refused to an unprivileged user: run the program as nobody.
        locked = os.path.join(WORK, "locked")
        os.makedirs(locked)
        os.chmod(locked, 0o755)
        p = subprocess.Popen(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", DITTO, "dedup", "-o",
                              os.path.join(locked, "out.jsonl")], stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            status = p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            status = p.wait()
        p.stdin.close()
        err = p.stderr.read().decode()
        p.stderr.close()
        expect(status == 2 and "cannot create files in the folder" in err and "Permission denied" in err,
               f"unwritable folder: exit {status}: {err}")
        expect(os.listdir(locked) == [], "wrote into the locked folder")


@case
def output_goes_through_links_to_devices_and_fifos():
    source = write("o.jsonl", DATA)
    # A symbolic link: its target gets the output, the link stays.
    target = write("target.jsonl", "previous\n")
    link = os.path.join(WORK, "link.jsonl")
    os.symlink("target.jsonl", link)
    run(["dedup", "--quiet", "-o", link, source], check=0)
    expect(os.path.islink(link) and read(target).decode() == KEPT, "through a symbolic link")
    # A dangling relative link in another folder: its target is created.
    os.makedirs(os.path.join(WORK, "sub"))
    dangling = os.path.join(WORK, "sub", "dangling.jsonl")
    os.symlink("../created.jsonl", dangling)
    run(["dedup", "--quiet", "-o", dangling, source], check=0)
    expect(os.path.islink(dangling) and read(os.path.join(WORK, "created.jsonl")).decode() == KEPT, "dangling link")
    expect(not temporaries(WORK) and not temporaries(os.path.join(WORK, "sub")), "temporary left")
    # A device is written, not replaced.
    before = os.stat("/dev/null")
    run(["dedup", "--quiet", "-o", "/dev/null", source], check=0)
    after = os.stat("/dev/null")
    expect(stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev, "/dev/null is no longer the device")
    # A FIFO is written directly.
    fifo = os.path.join(WORK, "out.fifo")
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(read(fifo)))
    reader.start()
    run(["dedup", "--quiet", "-o", fifo, source], check=0)
    reader.join(30)
    expect(got == [KEPT.encode()] and stat.S_ISFIFO(os.lstat(fifo).st_mode), f"FIFO: {got!r}")
    # /dev/stdout: a pipe, and a file opened for appending (which stays appending).
    p = run(["dedup", "--quiet", "-o", "/dev/stdout", source], check=0)
    expect(p.stdout.decode() == KEPT, f"/dev/stdout to a pipe: {p.stdout!r}")
    appended = write("appended.jsonl", "previous\n")
    with open(appended, "ab") as f:
        run(["dedup", "--quiet", "-o", "/dev/stdout", source], stdout=f, check=0)
    expect(read(appended).decode() == "previous\n" + KEPT, f"/dev/stdout to a file: {read(appended)!r}")


@case
def a_replaced_file_keeps_its_mode_and_owner_and_is_replaced_atomically():
    source = write("m.jsonl", DATA)
    out = write("private.jsonl", "previous\n")
    os.chmod(out, 0o600)
    if os.geteuid() == 0:
        os.chown(out, 65534, 65534)
    inode = os.stat(out).st_ino
    run(["dedup", "--quiet", "-o", out, source], check=0)
    info = os.stat(out)
    expect(stat.S_IMODE(info.st_mode) == 0o600, f"mode {oct(info.st_mode)}")
    if os.geteuid() == 0:
        expect((info.st_uid, info.st_gid) == (65534, 65534), f"owner {info.st_uid}:{info.st_gid}")
    expect(info.st_ino != inode, "written in place instead of renamed over")
    expect(read(out).decode() == KEPT and not temporaries(WORK), "content or temporary")
    # A new file gets the usual permissions (0666 less the umask).
    mask = os.umask(0o022)
    os.umask(mask)
    fresh = os.path.join(WORK, "fresh.jsonl")
    run(["dedup", "--quiet", "-o", fresh, source], check=0)
    expect(stat.S_IMODE(os.stat(fresh).st_mode) == 0o666 & ~mask, oct(os.stat(fresh).st_mode))
    # The input itself can be the output: it is read once, replaced at the end.
    inplace = write("inplace.jsonl", DATA)
    run(["dedup", "--quiet", "-o", inplace, inplace], check=0)
    expect(read(inplace).decode() == KEPT, "in place")
    # A hard link: the name given gets the new file, the other name keeps the previous content.
    first = write("hard1.jsonl", "previous\n")
    second = os.path.join(WORK, "hard2.jsonl")
    os.link(first, second)
    run(["dedup", "--quiet", "-o", first, source], check=0)
    expect(read(first).decode() == KEPT and read(second) == b"previous\n", "hard link")


def report_corpus():
    # Many clusters of long, slightly different copies: the report's diffs take a while.
    docs = []
    for c in range(120):
        words = [f"w{c}x{i % 97}y{(i * 31) % 89}" for i in range(1500)]
        docs.append({"id": f"c{c}", "text": " ".join(words)})
        for k in range(3):
            changed = list(words)
            changed[(k + 1) * 300] = "changed"
            docs.append({"id": f"c{c}-{k}", "text": " ".join(changed)})
    return write("report.jsonl", jsonl(*docs))


@case
def the_output_temporary_exists_only_while_writing():
    # The --report computation (a diff per copy) runs before the temporary file is created:
    # watched from outside, the temporary lives for a small part of the run at the end.
    source = report_corpus()
    folder = os.path.join(WORK, "report-out")
    os.makedirs(folder)
    out = os.path.join(folder, "report.txt")
    began = time.time()
    p = subprocess.Popen([DITTO, "dedup", "--report", "--quiet", "--threads", "1", "-o", out, source],
                         stderr=subprocess.PIPE, env=env())
    # Measured from the first to the last sight of the temporary, not to the process's end: the
    # exit (freeing memory) and this loop's own delays on a loaded machine are not the file's life.
    first_seen = last_seen = None
    while p.poll() is None:
        if temporaries(folder):
            last_seen = time.time()
            first_seen = first_seen or last_seen
        time.sleep(0.002)
    ended = time.time()
    expect(p.returncode == 0, p.stderr.read().decode())
    p.stderr.close()
    expect(read(out).decode().startswith("Cluster 1: 4 copies\n"), read(out)[:100])
    if first_seen is not None:
        share = (last_seen - first_seen) / (ended - began)
        expect(share < 0.25, f"the temporary existed for {share:.0%} of the run")
        print(f"      (the temporary existed for {share:.1%} of the run)")


def signal_cases():
    return [(signal.SIGINT, "SIGINT"), (signal.SIGTERM, "SIGTERM"), (signal.SIGHUP, "SIGHUP")]


@case
def signals_leave_no_temporary_behind():
    # While reading a large standard input (a pipe kept open): nothing is spooled, nothing left.
    folder = os.path.join(WORK, "signal-out")
    os.makedirs(folder)
    chunk = jsonl(*({"text": f"document {i} " + SIX} for i in range(20000))).encode()
    for number, name in signal_cases():
        p = start(["dedup", "--quiet", "-o", os.path.join(folder, "out.jsonl")])
        for _ in range(max(1, min(LARGE, 8 << 20) // len(chunk))):
            p.stdin.write(chunk)
        p.stdin.flush()
        time.sleep(0.2)
        p.send_signal(number)
        status = p.wait(timeout=30)
        p.stdin.close()
        p.stdout.close()
        p.stderr.close()
        expect(status == -number, f"{name} while reading: exit {status}")
        expect(os.listdir(TMP) == [] and os.listdir(folder) == [], f"{name}: left {os.listdir(TMP)} {os.listdir(folder)}")
    # While writing -o: the temporary file is removed. The signal is sent once it is seen.
    # Distinct documents (nothing to cluster), so the run is mostly reading and writing.
    size = min(LARGE // 4, 24 << 20)
    lines, total = [], 0
    while total < size:
        n = len(lines)
        lines.append('{"text": "' + " ".join(f"w{n}x{k}" for k in range(40)) + '"}\n')
        total += len(lines[-1])
    big = write("signal-big.jsonl", "".join(lines))
    for number, name in signal_cases():
        caught = False
        for attempt in range(3):
            p = subprocess.Popen([DITTO, "dedup", "--quiet", "--threads", "1", "-o", os.path.join(folder, "out.jsonl"), big],
                                 stderr=subprocess.PIPE, env=env())
            while p.poll() is None and not temporaries(folder):
                time.sleep(0.0005)
            if p.poll() is None:
                p.send_signal(number)
                caught = True
            status = p.wait(timeout=60)
            p.stderr.close()
            if caught:
                break
            os.remove(os.path.join(folder, "out.jsonl"))  # finished first: try again
        expect(caught, f"{name}: never saw the temporary file while writing")
        expect(status == -number, f"{name} while writing: exit {status}")
        expect(os.listdir(folder) == [], f"{name}: left {os.listdir(folder)}")


@case
def ids_are_text_in_one_namespace():
    def dup(records_text, pattern, *extra):
        p = run(["dedup", *extra, write("ids.jsonl", records_text)], check=1)
        err = p.stderr.decode()
        expect(re.search(pattern, err), f"{err!r} does not match {pattern!r}")
    lines = '{"id": 5, "text": "a"}\n{"id": "y", "text": "b"}\n'
    lines += '{"id": "z", "text": "c"}\n{"id": "w", "text": "d"}\n{"text": "no id: line 5"}\n'
    dup(lines, r'ids\.jsonl:5: id "5" \(line number: this record has no "id" field\) is also the id of line 1 \(a number\)')
    dup('{"id": "5", "text": "a"}\n{"id": 5, "text": "b"}\n',
        r'ids\.jsonl:2: id "5" \(a number\) is also the id of line 1 \(a string\)')
    dup('{"key": "2", "text": "a"}\n{"text": "b"}\n',
        r'ids\.jsonl:2: id "2" \(line number: this record has no "key" field\) is also the id of line 1 \(a string\)',
        "--id-field", "key")
    # Numbers are their literal: 1 and 1.0 are different ids.
    p = run(["dedup", "--pairs", "--quiet", write("ids2.jsonl", jsonl({"id": 1, "text": SIX}, {"id": 1.0, "text": SIX}))],
            check=0)
    expect(p.stdout.decode() == "1\t1.0\t1.0000\n", f"got {p.stdout!r}")


@case
def control_characters_are_escaped_in_tsv_and_report():
    tricky = "id\x1b[31mred\\ tab\there\nnl\x7f\u009b2J"
    path = write("ctl.jsonl", jsonl({"id": tricky, "text": SIX + " \x1b]0;title\x07 end"}, {"id": "plain", "text": SIX + " \x1b]0;title\x07 end"}))
    escaped = "id\\x1b[31mred\\\\ tab\\there\\nnl\\x7f\\xc2\\x9b2J"
    p = run(["dedup", "--pairs", "--quiet", path], check=0)
    expect(p.stdout.decode() == f"{escaped}\tplain\t1.0000\n", f"got {p.stdout!r}")
    p = run(["dedup", "--report", "--quiet", path], check=0)
    out = p.stdout.decode()
    expect(f"  keep  {escaped}  alpha beta gamma delta epsilon zeta \\x1b]0;title\\x07 end\n" in out, out)
    for raw in (b"\x1b", b"\x07", b"\x7f", b"\xc2\x9b"):
        expect(raw not in p.stdout, f"raw {raw!r} in the report")
    # JSON outputs escape as JSON.
    p = run(["dedup", "--clusters", "--quiet", path], check=0)
    expect(json.loads(p.stdout.decode().splitlines()[0])["id"] == tricky and b"\x1b" not in p.stdout, "clusters")
    # Messages too.
    ids = ("\x1b[2J", "\x7f\u009b")
    p = run(["dedup", write("ctl2.jsonl", jsonl(*({"id": i, "text": t} for i in ids for t in "ab")))], check=1)
    expect('ctl2.jsonl:2: id "\\u001b[2J" (a string) is also the id of line 1' in p.stderr.decode(), p.stderr.decode())
    p = run(["dedup", write("ctl3.jsonl", jsonl(*({"id": ids[1], "text": t} for t in "ab")))], check=1)
    expect('ctl3.jsonl:2: id "\\u007f\\u009b" (a string)' in p.stderr.decode(), p.stderr.decode())


@case
def an_id_field_no_record_has_gets_a_warning():
    path = write("typo.jsonl", jsonl({"id": "a", "text": SIX}, {"id": "b", "text": "other"}))
    for quiet in ([], ["--quiet"]):
        p = run(["dedup", "--id-field", "idd", *quiet, path], check=0)
        expect('ditto: warning: no record has the field "idd" (--id-field)' in p.stderr.decode(), p.stderr.decode())
    # Not when the field was not asked for, or when some record has it.
    p = run(["dedup", "--quiet", write("noids.jsonl", jsonl({"text": SIX}))], check=0)
    expect(p.stderr == b"", p.stderr.decode())
    p = run(["dedup", "--quiet", "--id-field", "id", write("someids.jsonl", jsonl({"text": SIX}, {"id": "x", "text": "y"}))],
            check=0)
    expect(p.stderr == b"", p.stderr.decode())


@case
def byte_order_marks_and_other_encodings_are_named():
    # A UTF-8 byte order mark is skipped with a warning, and not copied.
    p = run(["dedup", "--quiet", write("bom.jsonl", b"\xef\xbb\xbf" + DATA.encode())], check=0)
    expect(p.stdout.decode() == KEPT, f"got {p.stdout!r}")
    expect("starts with a UTF-8 byte order mark; it is ignored" in p.stderr.decode(), p.stderr.decode())
    # Columns on line 1 still count the file's bytes.
    p = run(["dedup", write("bom2.jsonl", b'\xef\xbb\xbf{"text": 1}\n')], check=1)
    expect("bom2.jsonl:1:13: field \"text\" must be a string" in p.stderr.decode(), p.stderr.decode())
    text = DATA
    for name, data, pattern in [
        ("u16le.jsonl", b"\xff\xfe" + text.encode("utf-16-le"), r"UTF-16LE \(byte order mark FF FE\)"),
        ("u16be.jsonl", b"\xfe\xff" + text.encode("utf-16-be"), r"UTF-16BE \(byte order mark FE FF\)"),
        ("u32le.jsonl", text.encode("utf-32"), r"UTF-32LE \(byte order mark FF FE 00 00\)"),
        ("u16le-nobom.jsonl", text.encode("utf-16-le"), r"UTF-16LE \(NUL bytes between ASCII characters\)"),
        ("u16be-nobom.jsonl", text.encode("utf-16-be"), r"UTF-16BE \(NUL bytes between ASCII characters\)"),
        ("u32be-nobom.jsonl", text.encode("utf-32-be"), r"UTF-32BE \(NUL bytes between ASCII characters\)"),
    ]:
        p = run(["dedup", write(name, data)], check=1)
        err = p.stderr.decode()
        expect(re.search(re.escape(name) + r": the input looks like " + pattern + r"; ditto reads UTF-8 only", err), err)
        expect(p.stdout == b"", "output on error")
    p = run(["diff", os.path.join(WORK, "u16le.jsonl") + "#a", os.path.join(WORK, "u16le.jsonl") + "#b"], check=1)
    expect("UTF-16LE" in p.stderr.decode(), p.stderr.decode())


@case
def skipped_lines_are_listed_when_the_output_leaves_them_out():
    good = jsonl({"id": "a", "text": SIX}, {"id": "b", "text": SIX})
    path = write("skips.jsonl", good + "not json\n" + '{"id": "c"}\n')
    for mode in ("--pairs", "--clusters", "--report", "--explain"):
        for quiet in ([], ["--quiet"]):
            p = run(["dedup", mode, "--skip-invalid", *quiet, path], check=0)
            err = p.stderr.decode()
            expect("ditto: warning: 2 lines could not be read and are not in the output (--skip-invalid):\n"
                   "ditto:   " + path + ":3:1: expected a JSON object" in err, f"{mode} {quiet}: {err}")
            expect(f"ditto:   {path}:4:1: missing field \"text\"" in err, err)
            expect(b"not json" not in p.stdout, f"{mode}: {p.stdout!r}")
            if not quiet:
                expect("2 lines skipped (left out)" in err, err)
    # Many: the first ten, then a count.
    many = write("manyskips.jsonl", good + "x\n" * 13)
    err = run(["dedup", "--pairs", "--skip-invalid", "--quiet", many], check=0).stderr.decode()
    expect(err.count(":1: expected a JSON object") == 10 and "ditto:   and 3 more\n" in err, err)


@case
def write_errors_on_standard_output_are_errors():
    if not os.path.exists("/dev/full"):
        print("      (no /dev/full here)")
        return
    source = write("full.jsonl", DATA)
    a, b = write("a.txt", SIX), write("b.txt", SIX + " eta")
    for args in (["--help"], ["--version"], ["dedup", "--help"], ["diff", "--help"], ["dedup", source],
                 ["dedup", "--pairs", source], ["diff", a, b]):
        with open("/dev/full", "wb") as full:
            p = run(args, stdout=full)
        expect(p.returncode == 1 and "cannot write standard output: No space left on device" in p.stderr.decode(),
               f"{args}: exit {p.returncode}: {p.stderr.decode()}")


@case
def progress_keeps_moving_on_a_terminal():
    # With standard error a terminal, the progress line is redrawn while a stage runs without
    # reports of its own (here: reading a pipe that stays open).
    controller, terminal = pty.openpty()
    p = subprocess.Popen([DITTO, "dedup", "--pairs"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=terminal,
                         env=env())
    os.close(terminal)
    p.stdin.write(jsonl({"id": "a", "text": SIX}).encode())
    p.stdin.flush()
    seen = b""
    deadline = time.time() + 2.5
    while time.time() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            seen += os.read(controller, 4096)
    p.stdin.write(jsonl({"id": "b", "text": SIX}).encode())
    p.stdin.close()
    out = p.stdout.read()
    p.stdout.close()
    p.wait(timeout=30)
    while True:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if not ready:
            break
        try:
            data = os.read(controller, 4096)
        except OSError:
            break
        if not data:
            break
        seen += data
    os.close(controller)
    draws = re.findall(rb"ditto: reading <stdin>, [\d.]+ MB, ([\d.]+) s", seen)
    expect(len(set(draws)) >= 3, f"progress while reading: {seen!r}")
    expect(out == b"a\tb\t1.0000\n" and p.returncode == 0, f"{out!r}")


@case
def counts_are_singular_or_plural():
    p = run(["dedup", write("one.jsonl", jsonl({"text": SIX}))], check=0)
    expect(p.stderr.decode().startswith("ditto: 1 document, 1 cluster, 0 duplicates removed, 0 lines skipped, "
                                        "0 invalid UTF-8 sequences replaced"), p.stderr.decode())
    p = run(["dedup", "--skip-invalid", write("two.jsonl", jsonl({"text": SIX}, {"text": SIX}) + "x\n" +
                                              '{"text": "caf\\ud800"}\n')], check=0)
    expect(p.stderr.decode().startswith("ditto: 3 documents, 2 clusters, 1 duplicate removed, 1 line skipped "
                                        "(copied unchanged), 1 invalid UTF-8 sequence replaced"), p.stderr.decode())
    p = run(["dedup", "--report", "--quiet", os.path.join(WORK, "two.jsonl"), "--skip-invalid"], check=0)
    expect(p.stdout.decode().endswith("\n3 documents, 2 clusters, 1 duplicate\n"), p.stdout.decode())


print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
