#!/usr/bin/env python3
"""End-to-end tests of `ditto sketch --part P/N` and `ditto dedup --sketches FOLDER`: for 1, 2, 3
and 7 parts, every output mode equals `ditto dedup` alone, byte for byte, on the sample corpus
and on a generated corpus (near-copies with heavy-tailed counts, a template family, a storm of
one notice, escapes, ill-formed UTF-8, CRLF, a byte order mark, no final newline); with
--memory too; sketch files are the same for any thread count and rerun; every mismatch between
the files, the input and the options is an error naming it.

Usage: test_sketch.py DITTO SOURCE_DIR WORK_DIR [LARGE_BYTES]
(DITTO_TEST_PART=stages or engines: only the shell-loop cases, or only the Dask ones.)
LARGE_BYTES below 1 GB (the sanitizer builds) runs the generated corpus's part and task matrix on
fewer modes."""

import fcntl
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
SANITIZED = len(sys.argv) > 4 and sys.argv[4] != "" and int(sys.argv[4]) < 1 << 30
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, generated_corpus, jsonl, manifest_sequence, run, setup, write  # noqa: E402

# DITTO_TEST_PART: "stages" runs the stages' cases (shell loops), "engines" the Dask cases; unset,
# both.
PART = os.environ.get("DITTO_TEST_PART", "")
if PART not in ("", "stages", "engines"):
    sys.exit(f"DITTO_TEST_PART must be stages or engines, not {PART!r}")
stage_case = case if PART in ("", "stages") else (lambda f: f)
engine_case = case if PART in ("", "engines") else (lambda f: f)

setup(DITTO, WORK)
NEWS = os.path.join(SOURCE, "examples/data/news.jsonl")
MODES = [[], ["--pairs"], ["--pairs", "--exact-pairs", "full"], ["--clusters"], ["--report"], ["--explain"]]


CORPUS = write("corpus.jsonl", generated_corpus(seed=3, originals=450))


def source(path):
    """The input's arguments: a file, or a manifest (named *.manifest) of files."""
    return ["--manifest=" + path] if path.endswith(".manifest") else [path]


def sketch_parts(path, parts, options=(), folder=None, threads=None):
    folder = folder or os.path.join(WORK, "sketches-%d" % parts)
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    for p in range(parts):
        args = ["sketch", "--part", "%d/%d" % (p, parts), "-o", os.path.join(folder, "part-%d.sketch" % p)]
        if threads:
            args += ["--threads", str(threads)]
        run(args + list(options) + source(path), check=0)
    return folder


def same_as_dedup(args, path, folder, memory=False):
    alone = run(["dedup", "-q"] + args + [path], check=0)
    extra = ["--memory", "16M"] if memory else []
    staged = run(["dedup", "-q", "--sketches", folder] + extra + args + source(path), check=0)
    expect(staged.stdout == alone.stdout,
           f"{args} from {folder}: {len(staged.stdout)} bytes, dedup alone {len(alone.stdout)}")
    expect(len(alone.stdout) > 0, f"{args}: no output")


def filtered(path, parts, args, folder, extra=()):
    """The kept lines as `ditto filter` writes them, part by part, concatenated."""
    rules = [a for a in args if a.startswith(("--threshold", "--ngram", "--shingle", "--sketch-size"))]
    for name in ["--keep", "--cluster"]:
        if name in args:
            rules += [name, args[args.index(name) + 1]]
    out = b""
    for p in range(parts):
        out += run(["filter", "-q", "--sketches", folder, "--part", "%d/%d" % (p, parts)] + rules + list(extra) + source(path), check=0).stdout
    return out


@stage_case
def sample_corpus_every_part_count_and_mode():
    for parts in [1, 2, 3, 7]:
        folder = sketch_parts(NEWS, parts)
        for mode in MODES:
            same_as_dedup(mode, NEWS, folder)


@stage_case
def generated_corpus_every_part_count_mode_and_rule():
    expect(os.path.getsize(CORPUS) > 1 << 20, "the corpus should be over 1 MB")
    for parts in [1, 2, 3, 7]:
        folder = sketch_parts(CORPUS, parts)
        for mode in MODES:
            if "full" not in mode:
                same_as_dedup(mode, CORPUS, folder)
        for extra in [["--keep", "longest"], ["--cluster", "connected", "--clusters"], ["--threads", "1", "--pairs"],
                      ["--set-memory", "0", "--pairs"]]:
            same_as_dedup(extra, CORPUS, folder)
        same_as_dedup(["--pairs"], CORPUS, folder, memory=True)
        same_as_dedup([], CORPUS, folder, memory=True)
    # Other similarity options: the parts sketched with them.
    for options in [["--threshold", "0.5"], ["--sketch-size", "64", "--ngram", "3"], ["--shingle", "chars:7"]]:
        folder = sketch_parts(CORPUS, 3, options)
        same_as_dedup(options + ["--pairs"], CORPUS, folder)
        same_as_dedup(options, CORPUS, folder)


@stage_case
def skipped_lines_with_skip_invalid():
    lines = open(CORPUS, "rb").read().split(b"\n")
    for at in (5, len(lines) // 2, len(lines) - 3):
        lines.insert(at, b"not json")
    lines.insert(40, b"")
    path = write("skipped.jsonl", b"\n".join(lines))
    folder = sketch_parts(path, 3, ["--skip-invalid"])
    for mode in [[], ["--pairs"], ["--clusters"]]:
        same_as_dedup(["--skip-invalid"] + mode, path, folder)
        # And split over tasks: the skipped lines copied in place by the merge.
        run(["group", "--sketches", folder, "--tasks", "2", "--skip-invalid", path], check=0)
        for k in range(2):
            run(["dedup", "-q", "--sketches", folder, "--task", "%d/2" % k, "--skip-invalid"] + mode + [path], check=0)
        merged = run(["dedup", "-q", "--sketches", folder, "--merge", "--skip-invalid"] + mode + [path], check=0)
        alone = run(["dedup", "-q", "--skip-invalid"] + mode + [path], check=0)
        expect(merged.stdout == alone.stdout, f"--skip-invalid {mode} over tasks differs")
        if not mode:
            expect(filtered(path, 3, [], folder, ["--skip-invalid"]) == alone.stdout, "--skip-invalid: the filtered parts differ")
    error(["group", "--sketches", folder, "--tasks", "2", path], 1, r"sketched with --skip-invalid")
    error(["sketch", "--part", "1/3", "-o", os.path.join(WORK, "x.sketch"), path], 1, r"byte \d+ .*part 1/3")
    expect(not os.path.exists(os.path.join(WORK, "x.sketch")), "a failed sketch left its file")


@stage_case
def sketch_files_are_the_same_for_any_thread_count_and_rerun():
    a = sketch_parts(CORPUS, 2, folder=os.path.join(WORK, "t1"), threads=1)
    b = sketch_parts(CORPUS, 2, folder=os.path.join(WORK, "t3"), threads=3)
    for p in range(2):
        first = open(os.path.join(a, "part-%d.sketch" % p), "rb").read()
        expect(first == open(os.path.join(b, "part-%d.sketch" % p), "rb").read(), f"part {p} differs between 1 and 3 threads")
        run(["sketch", "--part", "%d/2" % p, "-o", os.path.join(a, "part-%d.sketch" % p), CORPUS], check=0)
        expect(first == open(os.path.join(a, "part-%d.sketch" % p), "rb").read(), f"part {p} differs when rerun")
    expect(sorted(os.listdir(a)) == ["part-0.sketch", "part-1.sketch"], f"left behind: {os.listdir(a)}")


@stage_case
def mismatches_are_errors():
    folder = sketch_parts(CORPUS, 3)
    work = os.path.join(WORK, "broken")

    def broken(change):
        if os.path.isdir(work):
            shutil.rmtree(work)
        shutil.copytree(folder, work)
        change(work)
        return work

    def dedup(folder, extra=(), path=CORPUS):
        return ["dedup", "--sketches", folder] + list(extra) + [path]

    error(dedup(broken(lambda w: os.remove(os.path.join(w, "part-1.sketch")))), 1, r"lacks part 1 of 3")
    error(dedup(broken(lambda w: os.remove(os.path.join(w, "part-2.sketch")))), 1, r"lacks part 2 of 3")
    error(dedup(broken(lambda w: shutil.copy(os.path.join(w, "part-1.sketch"), os.path.join(w, "again.sketch")))), 1,
          r"part 1 twice")
    other = sketch_parts(CORPUS, 2, folder=os.path.join(WORK, "two"))
    error(dedup(broken(lambda w: shutil.copy(os.path.join(other, "part-1.sketch"), os.path.join(w, "part-1.sketch")))), 1,
          r"one split per folder")
    error(dedup(folder, ["--sketch-size", "64"]), 1, r"other similarity options \(slots, bands, rows\)")
    error(dedup(folder, ["--threshold", "0.7"]), 1, r"other similarity options \(.*threshold")
    both = write("both.jsonl", "".join(json.dumps({"text": "t %d" % i, "body": "b %d" % i}) + "\n" for i in range(50)))
    error(dedup(sketch_parts(both, 2, folder=os.path.join(WORK, "both")), ["--text-field", "body"], both), 1,
          r"the field \"text\", not \"body\"")
    error(dedup(folder, ["--skip-invalid"]), 1, r"without --skip-invalid")

    def flip(w):
        path = os.path.join(w, "part-1.sketch")
        data = bytearray(open(path, "rb").read())
        data[len(data) // 2] ^= 1
        open(path, "wb").write(bytes(data))

    error(dedup(broken(flip)), 1, r"checksum does not match")

    def cut(w):
        path = os.path.join(w, "part-0.sketch")
        data = open(path, "rb").read()
        open(path, "wb").write(data[: len(data) - 100])

    error(dedup(broken(cut)), 1, r"not a complete sketch file")
    empty = os.path.join(WORK, "empty")
    os.makedirs(empty, exist_ok=True)
    error(dedup(empty), 1, r"holds no sketch file")
    error(dedup(os.path.join(WORK, "no-such-folder")), 1, r"cannot read the folder")
    # The input changed since: another size, or the same size at another time.
    changed = write("changed.jsonl", open(CORPUS, "rb").read())
    parts = sketch_parts(changed, 2, folder=os.path.join(WORK, "changed"))
    with open(changed, "ab") as f:
        f.write(b'\n{"text": "one more"}\n')
    error(dedup(parts, path=changed), 1, r"another version of the input")
    # A copy at another time: the same texts, accepted.
    write("changed.jsonl", open(CORPUS, "rb").read())
    os.utime(changed, (1, 1))
    expect(run(dedup(parts, ["--pairs"], path=changed), check=0).stdout == run(["dedup", "--pairs", CORPUS], check=0).stdout,
           "a copy of the input at another time gave another answer")
    # The same size and modification time, other bytes: the texts are checked against the sketches.
    data = bytearray(open(CORPUS, "rb").read())
    at = data.index(b"cookies")
    data[at:at + 7] = b"COOKIES"
    write("changed.jsonl", bytes(data))
    os.utime(changed, ns=(os.stat(CORPUS).st_atime_ns, os.stat(CORPUS).st_mtime_ns))
    parts = sketch_parts(CORPUS, 2, folder=os.path.join(WORK, "same-time"))
    # A killed task's temporary stays when the run fails: nothing is removed before the texts
    # are found to match their sketches.
    leftover = write(os.path.join(parts, "part-0.sketch.tmp-Failed"), "")
    for extra in [[], ["--memory", "16M"]]:
        error(dedup(parts, extra, path=changed), 1, r"not the one sketched")
        expect(os.path.exists(leftover), "a temporary removed by a run that failed")
    run(dedup(parts, ["--pairs"]), check=0)
    expect(not os.path.exists(leftover), "a temporary left by a run that succeeded")
    # Other input options.
    error(dedup(folder, ["--id-field", "name"]), 1, r"the id field \"id\", not \"name\"")
    error(dedup(os.path.join(WORK, "both"), ["--invalid-utf8", "error"], both), 1, r"sketched with --invalid-utf8 replace")
    # Anything but a regular file named *.sketch: refused, never waited on.
    fifo = broken(lambda w: os.mkfifo(os.path.join(w, "fifo.sketch")))
    error(dedup(fifo), 1, r"fifo.sketch is not a regular file")
    # Usage errors.
    error(["sketch", "--part", "0/1", "-o", CORPUS, CORPUS], 2, r"is the input file")
    error(["sketch", "--part", "0/1", "-o", "x.sketch", "--text-field", "id", CORPUS], 2, r"must differ")
    error(["dedup", "--sketches", folder, "--method", "simhash", CORPUS], 2, r"--sketches goes with --method minhash")
    error(["dedup", "--sketches", folder, "--clean", CORPUS], 2, r"--sketches does not go with --clean")
    error(["dedup", "--sketches", folder], 2, r"--sketches needs the input file")
    for bad in ["3/3", "1", "a/2", "-1/2", "0/0", "1/2x"]:
        error(["sketch", "--part", bad, "-o", "x.sketch", CORPUS], 2, r"--part must be P/N")
    error(["sketch", "-o", "x.sketch", CORPUS], 2, r"--part P/N is required")
    error(["sketch", "--part", "0/2", CORPUS], 2, r"-o FILE is required")
    error(["sketch", "--part", "0/2", "-o", "x.sketch", "-"], 2, r"not standard input")
    error(["sketch", "--part", "0/2", "-o", "x.sketch", "--method", "simhash", CORPUS], 2, r"unknown option")
    error(["sketch", "--part", "0/2", "-o", "x.sketch", os.path.join(WORK, "missing.jsonl")], 1, r"cannot open")
    expect(not os.path.exists(os.path.join(WORK, "x.sketch")), "a refused sketch left a file")


@stage_case
def spilled_keys_with_sketches_without_slots():
    """About 40,000 short records: under --memory 16M the band keys spill, and the prefilter
    slots, absent from the sketch files, are made for the bucketed texts."""
    g = random.Random(21)
    vocabulary = ["v%d" % i for i in range(20000)]
    lines = []
    while len(lines) < 40000:
        text = " ".join(g.choice(vocabulary) for _ in range(g.randint(8, 30)))
        lines.append(json.dumps({"text": text}))
        for _ in range(g.choice([0, 0, 1, 3])):
            words = text.split()
            words[g.randrange(len(words))] = g.choice(vocabulary)
            lines.append(json.dumps({"text": " ".join(words)}))
        if len(lines) % 997 == 0:
            lines.extend([json.dumps({"text": "Accept all cookies"})] * 300)
    path = write("short.jsonl", "\n".join(lines) + "\n")
    folder = sketch_parts(path, 3)
    verbose = run(["dedup", "-v", "--memory", "16M", "--sketches", folder, "--clusters", path], check=0)
    spilled = re.search(r"(\d+) MB of band keys and slots spilled", verbose.stderr.decode())
    expect(spilled is not None and int(spilled.group(1)) > 0, "expected the band keys spilled: " + verbose.stderr.decode())
    for mode in [[], ["--pairs"], ["--clusters"], ["--cluster", "connected", "--clusters"]]:
        same_as_dedup(mode, path, folder, memory=True)


@stage_case
def a_full_disk_leaves_nothing():
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 16, resource.RLIM_INFINITY))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXFSZ would dump core

    folder = os.path.join(WORK, "full")
    os.makedirs(folder, exist_ok=True)
    p = subprocess.run([DITTO, "sketch", "--part", "0/1", "-o", os.path.join(folder, "p.sketch"), CORPUS],
                       capture_output=True, preexec_fn=limit, cwd=WORK)
    expect(p.returncode != 0, "a sketch past the file size limit succeeded")
    expect(os.listdir(folder) == [], f"left behind: {os.listdir(folder)}")


@stage_case
def more_parts_than_lines():
    text = " ".join("w%d" % i for i in range(30))
    path = write("two.jsonl", jsonl({"text": text}, {"text": text + " more"}))
    folder = sketch_parts(path, 7)
    for mode in [[], ["--pairs"], ["--clusters"]]:
        same_as_dedup(mode, path, folder)


def plan(args):
    p = run(["plan"] + args, check=0)
    return [json.loads(line) for line in p.stdout.decode().splitlines()]


@stage_case
def plan_lists_the_tasks_a_shell_loop_runs():
    folder = os.path.join(WORK, "planned")
    os.makedirs(folder, exist_ok=True)
    for parts in [1, 3, 7]:
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))
        for mode in [["--pairs"], ["--clusters", "--cluster", "connected"], ["--threshold=0.6", "--shingle", "chars:6"]]:
            out = os.path.join(WORK, "planned.out")
            tasks = plan(["--parts", str(parts), "--sketches", folder, "-o", "planned.out"] + mode + [CORPUS])
            expect([t["stage"] for t in tasks] == ["sketch"] * parts + ["dedup"], f"stages {[t['stage'] for t in tasks]}")
            expect(all(t["tasks"] == (parts if t["stage"] == "sketch" else 1) for t in tasks), "task counts")
            # The sketch tasks in reverse order, one of them twice: the order and repeats do not matter.
            for t in list(reversed(tasks[:-1])) + tasks[:1]:
                run(t["argv"], check=0)
            run(tasks[-1]["argv"], check=0)
            alone = run(["dedup"] + mode + [CORPUS], check=0)
            expect(open(out, "rb").read() == alone.stdout, f"{parts} parts, {mode}: the planned run differs")
            expect(len(os.listdir(folder)) == parts, f"files left: {sorted(os.listdir(folder))}")
    error(["plan", "--sketches", folder, CORPUS], 2, r"--parts N is required")
    error(["plan", "--parts", "2", CORPUS], 2, r"--sketches FOLDER is required")
    error(["plan", "--parts", "0", "--sketches", folder, CORPUS], 2, r"--parts")
    error(["plan", "--parts", "2", "--sketches", folder, "--method", "simhash", CORPUS], 2, r"--sketches goes with --method minhash")
    error(["plan", "--parts", "2", "--sketches", folder, "--threshold", "2", CORPUS], 2, r"--threshold")
    error(["plan", "--parts", "2", "--sketches", folder, "-"], 2, r"--sketches needs the input file")
    # An option's value is never read as the plan's option: a field named "-h" or "--parts".
    tasks = plan(["--parts", "2", "--sketches", folder, "--id-field", "-h", "--text-field=body", CORPUS])
    expect([t["stage"] for t in tasks] == ["sketch", "sketch", "dedup"], f"a field named -h: {tasks}")
    expect(all("--id-field=-h" in t["argv"] and "--text-field=body" in t["argv"] for t in tasks), f"fields: {tasks}")
    error(["plan", "--sketches", folder, "--text-field", "--parts", "2", CORPUS], 2, r"--parts N is required")
    # ".." kept as written (after a symbolic link it leads elsewhere than the text says); an output
    # that is not a regular file is written in place: no output listed.
    os.makedirs(os.path.join(WORK, "real", "sub"), exist_ok=True)
    if not os.path.lexists(os.path.join(WORK, "deep")):
        os.symlink(os.path.join("real", "sub"), os.path.join(WORK, "deep"))
    tasks = plan(["--parts", "1", "--sketches", "deep/..", "-o", "/dev/null", "deep/../" + os.path.basename(CORPUS)])
    expect(tasks[0]["argv"][-1] == os.path.join(WORK, "deep", "..", os.path.basename(CORPUS)), f"input: {tasks[0]['argv']}")
    expect(tasks[-1]["outputs"] == [], f"-o /dev/null: outputs {tasks[-1]['outputs']}")
    # Sketch files of another split in the folder: said, since the dedup task would refuse the mix.
    p = run(["plan", "--parts", "2", "--sketches", folder, CORPUS], check=0)
    expect(re.search(rb"holds 7 sketch files not of this plan \(part-[0-6]-of-7\.sketch\)", p.stderr) is not None,
           f"no warning of another split: {p.stderr.decode()}")
    p = run(["plan", "--parts", "7", "--sketches", folder, CORPUS], check=0)
    expect(p.stderr == b"", f"a warning for the plan's own files: {p.stderr.decode()}")


def clear(folder):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)


@stage_case
def killed_sketch_tasks_then_a_rerun_give_the_same_output():
    # A task killed at any moment (SIGKILL: no cleanup of its own) and the stage run again: the
    # output of dedup alone, and the dedup task removes the temporaries the sketch tasks left.
    folder = os.path.join(WORK, "killed")
    out = os.path.join(WORK, "killed.out")
    tasks = plan(["--parts", "3", "--sketches", folder, "-o", out, "--pairs", CORPUS])
    expect([t["outputs"] for t in tasks] == [[os.path.join(folder, "part-%d-of-3.sketch" % p)] for p in range(3)] + [[out]],
           f"outputs: {[t['outputs'] for t in tasks]}")
    alone = run(["dedup", "--pairs", CORPUS], check=0)
    for delay in [0.0, 0.003, 0.01, 0.03, 0.1]:
        clear(folder)
        for t in tasks[:-1]:
            p = subprocess.Popen([DITTO] + t["argv"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            p.kill()
            p.wait()
        # What a task killed while writing leaves, whatever the timing above did: a file cut short.
        with open(tasks[1]["outputs"][0] + ".tmp-K1lled", "wb") as f:
            f.write(b"DITTOSKT" + bytes(100))
        # Names that are not a sketch task's temporary stay.
        os.makedirs(os.path.join(folder, "kept.sketch.tmp-Folder"), exist_ok=True)
        write(os.path.join(folder, "notes.sketch.tmp-short"), "")
        for t in tasks[:-1]:
            run(t["argv"], check=0)
        p = run(tasks[-1]["argv"], check=0)
        expect(open(out, "rb").read() == alone.stdout, f"killed after {delay} s: the rerun differs from dedup alone")
        expect(re.search(rb"removed [1-9][0-9]* temporary files? left in --sketches", p.stderr) is not None,
               f"no removal reported: {p.stderr.decode()[-500:]}")
        left = sorted(os.listdir(folder))
        expect(left == ["kept.sketch.tmp-Folder", "notes.sketch.tmp-short"] + ["part-%d-of-3.sketch" % i for i in range(3)],
               f"killed after {delay} s: left {left}")
    # -o through a symbolic link: the output listed is the file written, where its temporary goes.
    link = os.path.join(WORK, "kept-link.out")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink("killed.out", link)
    linked = plan(["--parts", "3", "--sketches", folder, "-o", link, CORPUS])
    expect(linked[-1]["outputs"] == [os.path.realpath(out)], f"outputs through a link: {linked[-1]['outputs']}")
    # A temporary whose writer still runs (a retried task: it holds a lock) stays; once the lock
    # is gone it goes.
    busy = tasks[0]["outputs"][0] + ".tmp-Busy00"
    with open(busy, "wb") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        run(tasks[-1]["argv"], check=0)
        expect(os.path.exists(busy), "a temporary removed while its writer held it")
    p = run(tasks[-1]["argv"], check=0)
    expect(not os.path.exists(busy) and b"removed 1 temporary file left" in p.stderr, f"unlocked: {p.stderr.decode()[-300:]}")
    # An output that the next run would take for a part: refused.
    error(["dedup", "--sketches", folder, "-o", os.path.join(folder, "kept.sketch"), CORPUS], 2, r"would be taken for a part")
    # With a part missing, a sketch task may still be running: its temporary stays.
    os.remove(tasks[2]["outputs"][0])
    write(tasks[2]["outputs"][0] + ".tmp-Runnin", "")
    error(tasks[-1]["argv"], 1, r"lacks part 2 of 3")
    expect(os.path.exists(tasks[2]["outputs"][0] + ".tmp-Runnin"), "a temporary removed while a part was missing")


def template_corpus(pages=1500, seed=11):
    """Pages on two templates, in threes (two with tails of their own, then one without: it is
    similar to both, so greedy clusters depend on which kept page it prefers), pages again with
    other punctuation (distinct texts with the same shingles), a few exact copies, near-copies of
    a news text, and a storm of one notice: buckets of hundreds of pages that the prefix split
    leaves whole, where the whole run's rarity sample decides."""
    g = random.Random(seed)
    lines = []
    for page in range(pages):
        t = page % 2
        words = ["tpl%dw%d" % (t, w) for w in range(60)] + ["own%dp%dx%d" % (t, page // 6, w) for w in range(7)]
        if page % 3 != 2:
            words += ["tail%dx%d" % ((page // 6 + page % 3) % 3, w) for w in range(12)]
        lines.append(json.dumps({"id": "page-%d" % page, "text": " ".join(words)}))
        if page % 5 == 1:  # the same words, other punctuation: another normalized text, the same shingles
            lines.append(json.dumps({"id": "punct-%d" % page, "text": ", ".join(words) + "!"}))
        if page % 50 == 0:
            lines.append(json.dumps({"id": "copy-%d" % page, "text": " ".join(words)}))
    news = " ".join("n%d" % g.randrange(3000) for _ in range(200))
    for c in range(30):
        words = news.split()
        words[g.randrange(len(words))] = "edit%d" % c
        lines.append(json.dumps({"id": "news-%d" % c, "text": " ".join(words)}))
    lines += [json.dumps({"id": "notice-%d" % i, "text": "We use cookies"}) for i in range(300)]
    g.shuffle(lines)
    return ("\n".join(lines) + "\n").encode()


TEMPLATES = write("templates.jsonl", template_corpus())


def staged_run(path, parts, tasks, args, folder, extra_task=(), check_leftovers=True):
    """Every stage in a shell-like loop: sketch, group, the tasks, the merge; the merge's output."""
    sketch_parts(path, parts, [a for a in args if a.startswith(("--threshold", "--ngram", "--shingle", "--sketch-size"))],
                 folder=folder)
    similarity = [a for a in args if a.startswith(("--threshold", "--ngram", "--shingle", "--sketch-size"))]
    p = run(["group", "--sketches", folder, "--tasks", str(tasks)] + similarity + source(path), check=0)
    for k in range(tasks):
        run(["dedup", "-q", "--sketches", folder, "--task", "%d/%d" % (k, tasks)] + list(extra_task) + args + source(path), check=0)
    merged = run(["dedup", "-q", "--sketches", folder, "--merge"] + args + source(path), check=0)
    if check_leftovers:
        names = sorted(os.listdir(folder))
        expect(names == sorted(["part-%d.sketch" % i for i in range(parts)] + ["groups"] +
                               ["task-%s-of-%d.result" % (str(k).zfill(len(str(tasks - 1))), tasks) for k in range(tasks)]),
               f"files: {names}")
    return merged.stdout, p.stderr


@stage_case
def tasks_give_dedup_output_for_every_part_count_task_count_and_mode():
    folder = os.path.join(WORK, "staged")
    corpus_modes = MODES[:2] + MODES[3:5] + [["--cluster", "connected", "--clusters"], ["--keep", "longest", "--clusters"]]
    if SANITIZED:  # every mode on the sample corpus; the generated one's lines and connected clusters
        corpus_modes = [[], ["--cluster", "connected", "--clusters"]]
    for path, modes in [(NEWS, MODES), (CORPUS, corpus_modes)]:
        for parts in [1, 2, 3, 7]:
            for tasks in [1, 3]:
                for mode in modes:
                    alone = run(["dedup", "-q"] + mode + [path], check=0).stdout
                    merged, _ = staged_run(path, parts, tasks, mode, folder)
                    expect(len(alone) > 0 and merged == alone,
                           f"{os.path.basename(path)}, {parts} parts, {tasks} tasks, {mode}: {len(merged)} bytes, alone {len(alone)}")
                    if not [m for m in mode if m in ("--pairs", "--clusters", "--report", "--explain")]:
                        expect(filtered(path, parts, mode, folder) == alone,
                               f"{os.path.basename(path)}, {parts} parts, {tasks} tasks, {mode}: the filtered parts differ")
    # The merge with --memory: the input read in blocks and texts read again by offset.
    for mode in [[], ["--pairs"]]:
        staged_run(CORPUS, 3, 2, mode, folder)
        merged = run(["dedup", "-q", "--sketches", folder, "--merge", "--memory", "16M"] + mode + [CORPUS], check=0)
        expect(merged.stdout == run(["dedup", "-q"] + mode + [CORPUS], check=0).stdout, f"merge --memory {mode} differs")
    # Tasks under --memory: their texts read again by offset; with 512 slots the documents'
    # state is above the bound, so band keys and slots go to temporary files too.
    for mode in [["--clusters"], ["--pairs"], ["--sketch-size=512", "--clusters"]]:
        alone = run(["dedup", "-q"] + mode + [CORPUS], check=0).stdout
        merged, _ = staged_run(CORPUS, 2, 1 if "--sketch-size=512" in mode else 3, mode, folder, extra_task=["--memory", "16M"])
        expect(merged == alone, f"tasks with --memory 16M, {mode}: the staged run differs")
    # Other similarity options, given to every stage.
    for mode in [["--threshold", "0.6", "--pairs"], ["--shingle", "chars:6", "--clusters"]]:
        alone = run(["dedup", "-q"] + mode + [CORPUS], check=0).stdout
        merged, _ = staged_run(CORPUS, 2, 3, [mode[0] + "=" + mode[1], mode[2]], folder)
        expect(merged == alone, f"{mode}: the staged run differs")


@stage_case
def tasks_on_template_families_where_the_rarity_sample_decides():
    folder = os.path.join(WORK, "staged-templates")
    verbose = run(["dedup", "-v", "--clusters", TEMPLATES], check=0).stderr.decode()
    expect(re.search(r"largest [3-9][0-9][0-9]", verbose) is not None, f"no bucket of hundreds: {verbose}")
    for mode in [[], ["--cluster", "connected"], ["--clusters"], ["--clusters", "--cluster", "connected"], ["--pairs"], ["--report"]]:
        alone = run(["dedup", "-q"] + mode + [TEMPLATES], check=0).stdout
        for parts, tasks in [(1, 1), (3, 3), (7, 2)]:
            merged, said = staged_run(TEMPLATES, parts, tasks, mode, folder)
            expect(merged == alone, f"templates, {parts} parts, {tasks} tasks, {mode}: the staged run differs")
            if "--clusters" not in mode and "--pairs" not in mode and "--report" not in mode:
                expect(filtered(TEMPLATES, parts, mode, folder) == alone, f"templates, {parts} parts, {tasks} tasks, {mode}: filtered")
            expect(re.search(rb"; [1-9][0-9]* documents in the rarity sample", said) is not None, f"no sample: {said.decode()}")
    # One template family is one group: its task does most of the work, and says so.
    _, said = staged_run(TEMPLATES, 2, 4, [], folder)
    expect(re.search(rb"the largest group holds [3-9][0-9]\.[0-9]% of the text bytes", said) is not None, said.decode())


def shards(name, data, cuts, seed):
    """data's lines cut into shards at the given line counts (heavy-tailed, some empty), written
    under WORK/name/ with a manifest naming them (relative names, one absolute, a CRLF line, a
    blank line). Some shards get a byte order mark, some lose their final newline, one is CRLF.
    Returns the manifest's path and the sequence its input is: each shard without its mark,
    ending with a newline."""
    g = random.Random(seed)
    folder = os.path.join(WORK, name)
    clear(folder)
    lines = data.splitlines(True)
    if lines and lines[0].startswith(b"\xef\xbb\xbf"):
        lines[0] = lines[0][3:]
    names, paths, at = [], [], 0
    for i, count in enumerate(cuts + [len(lines)]):
        body = b"".join(lines[at:at + count])
        at += count
        if g.random() < 0.3 and body.endswith(b"\n"):
            body = body[:-1]
        if i == 2:
            body = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        shard = ("shard-%03d.jsonl" % i) if i % 5 else ("sub/shard-%03d.jsonl" % i)
        os.makedirs(os.path.dirname(os.path.join(folder, shard)), exist_ok=True)
        with open(os.path.join(folder, shard), "wb") as f:
            f.write((b"\xef\xbb\xbf" if i % 4 == 1 else b"") + body)
        names.append(shard if i != 3 else os.path.join(folder, shard))
        paths.append(os.path.join(folder, shard))
        if at >= len(lines):
            break
    manifest = os.path.join(folder, name + ".manifest")
    with open(manifest, "wb") as f:
        f.write(("\n".join(names[:2]) + "\n\n" + names[2] + "\r\n" + "\n".join(names[2 + 1:]) + "\n").encode())
    return manifest, write(name + "-sequence.jsonl", manifest_sequence(paths))


@stage_case
def a_manifest_of_shards_is_one_input_for_every_stage():
    # The generated corpus in 12 shards of heavy-tailed sizes (two empty), and the template corpus
    # in 40 (more than a task keeps open at once).
    corpus = open(CORPUS, "rb").read()
    manifest, sequence = shards("shards", corpus, [3, 0, 400, 17, 1, 900, 0, 60, 250, 5, 700], seed=5)
    templates = open(TEMPLATES, "rb").read()
    many, many_sequence = shards("many-shards", templates, [1 + (i * 37) % 90 for i in range(39)], seed=6)
    folder = os.path.join(WORK, "staged-manifest")
    modes = MODES if not SANITIZED else [[], ["--pairs"], ["--clusters"]]
    for path, expected in [(manifest, sequence), (many, many_sequence)]:
        for mode in modes:
            alone = run(["dedup", "-q"] + mode + [expected], check=0).stdout
            expect(len(alone) > 0, f"{mode}: no output")
            got = run(["dedup", "-q"] + mode + source(path), check=0).stdout
            expect(got == alone, f"{os.path.basename(path)}, {mode}: dedup --manifest differs from dedup of the sequence")
            if mode in ([], ["--pairs"]):
                got = run(["dedup", "-q", "--memory", "16M"] + mode + source(path), check=0).stdout
                expect(got == alone, f"{os.path.basename(path)}, {mode}: dedup --manifest --memory differs")
        for parts, tasks in [(1, 1), (3, 3), (7, 2)]:
            for mode in ([[], ["--clusters"], ["--pairs"]] if not SANITIZED else [["--clusters"]]):
                alone = run(["dedup", "-q"] + mode + [expected], check=0).stdout
                merged, _ = staged_run(path, parts, tasks, mode, folder)
                expect(merged == alone, f"{os.path.basename(path)}, {parts} parts, {tasks} tasks, {mode}: the staged run differs")
                if not mode:
                    expect(filtered(path, parts, mode, folder) == alone,
                           f"{os.path.basename(path)}, {parts} parts, {tasks} tasks: the filtered parts differ")
            sketched = run(["dedup", "-q", "--sketches", folder, "--clusters"] + source(path), check=0).stdout
            expect(sketched == run(["dedup", "-q", "--clusters", expected], check=0).stdout, "dedup --sketches --manifest differs")
    # The plan passes the manifest (absolute) to every task; a run from another folder finds the
    # shards by the manifest's folder.
    tasks = plan(["--parts", "2", "--tasks", "2", "--sketches", folder, "--manifest", os.path.relpath(manifest, WORK)])
    expect(all(t["argv"][-1] == "--manifest=" + manifest for t in tasks), f"plan: {tasks[0]['argv']}")
    clear(folder)
    elsewhere = os.path.join(WORK, "elsewhere")
    os.makedirs(elsewhere, exist_ok=True)
    for t in tasks:
        p = subprocess.run([DITTO] + t["argv"], capture_output=True, cwd=elsewhere)
        expect(p.returncode == 0, f"{t['stage']} {t['task']}: exit {p.returncode}: {p.stderr.decode()}")
    expect(p.stdout == run(["dedup", "-q", sequence], check=0).stdout, "a planned run over a manifest differs")
    said = run(["dedup", "--manifest", many, "-o", "/dev/null"], check=0).stderr
    expect(re.search(rb"warning: [0-9]+ files of the manifest .* start with a UTF-8 byte order mark", said) is not None,
           f"no warning for the shards' byte order marks: {said.decode()}")

    # Errors: each names the manifest's line or the file.
    bad = os.path.join(WORK, "bad-manifests")
    clear(bad)
    one = os.path.join(os.path.dirname(manifest), "shard-001.jsonl")

    def listing(name, text):
        path = os.path.join(bad, name)
        with open(path, "wb") as f:
            f.write(text)
        return path
    error(["dedup", "--manifest", listing("empty", b"\n \n")], 1, r"names no file")
    error(["dedup", "--manifest", listing("missing", (one + "\nnot-there.jsonl\n").encode())], 1,
          r"missing:2: cannot open .*not-there\.jsonl")
    error(["dedup", "--manifest", listing("twice", (one + "\n" + one + "\n").encode())], 1, r"twice:2: .* is the file of line 1 too")
    error(["dedup", "--manifest", listing("folder", (bad + "\n").encode())], 1, r"folder:1: .* is not a regular file")
    utf16 = write("utf16.jsonl", '{"text": "a"}\n'.encode("utf-16"))
    error(["dedup", "--manifest", listing("utf16", (utf16 + "\n").encode())], 1, r"UTF-16")
    error(["dedup", "--manifest", os.path.join(bad, "none")], 1, r"cannot open")
    error(["dedup", "--manifest", manifest, CORPUS], 2, r"give one input")
    error(["dedup", CORPUS, "--manifest", manifest], 2, r"give one input")
    error(["dedup", CORPUS, CORPUS], 2, r"more than one input file .* --manifest LIST")
    error(["sketch", "--part", "0/2", "-o", one, "--manifest", manifest], 2, r"-o .* is the manifest or one of its files")
    error(["dedup", "-o", one, "--manifest", manifest], 2, r"-o .* is the manifest or one of its files")
    error(["plan", "--parts", "2", "--sketches", folder, "-o", one, "--manifest", manifest], 2, r"is the manifest or one of its files")
    error(["dedup", "--manifest", manifest, "--manifest", manifest], 2, r"--manifest given twice")
    error(["dedup", "-o", manifest, "--manifest", manifest], 2, r"is the manifest or one of its files")
    error(["plan", "--parts", "2", "--sketches", folder, "--manifest", "/dev/null"], 2, r"must be a regular file")
    fifo = os.path.join(bad, "fifo")
    os.mkfifo(fifo)
    error(["dedup", "--manifest", listing("with-fifo", (one + "\n" + fifo + "\n").encode())], 1, r"with-fifo:2: .*fifo is not a regular file")
    # Messages name the shard and its own line: a parse error (held, or read in blocks), a
    # repeated id, and a sketch task's parse error at a shard's last byte.
    first = listing("p.jsonl", b'{"id": "x", "text": "a b c d e f g"}\n{"id": "y", "text": "h i j k"}\n')
    blank = listing("q.jsonl", b'{"id": "z", "text": "l m n"}\n\n')
    repeated = listing("r.jsonl", b'{"id": "w", "text": "o p q"}\n{"id": "x", "text": "r s t"}\n')
    pair = listing("pair", b"p.jsonl\nq.jsonl\n")
    error(["dedup", "--manifest", pair], 1, r"q\.jsonl:2:1: ")
    error(["dedup", "--memory", "16M", "--manifest", pair], 1, r"q\.jsonl:2:1: ")
    error(["dedup", "--manifest", listing("ids", b"p.jsonl\nr.jsonl\n")], 1,
          r"r\.jsonl:2: id \"x\" .* is also the id of .*p\.jsonl:1 ")
    error(["sketch", "--part", "0/1", "-o", os.path.join(bad, "s.sketch"), "--manifest", pair], 1, r"= .*q\.jsonl \(byte 30 of it\)")
    # A parse error on the first line of a shard with a byte order mark: its column as the shard
    # alone gives it (bytes of the file).
    marked = listing("marked.jsonl", b'\xef\xbb\xbf{"text": "a b c", oops}\n')
    alone = run(["dedup", marked], check=1).stderr.decode()
    place = re.search(r"marked\.jsonl:1:[0-9]+: ", alone)
    expect(place is not None, f"no place in {alone!r}")
    for extra in [[], ["--memory", "16M"]]:
        said = run(["dedup"] + extra + ["--manifest", listing("with-marked", b"p.jsonl\nmarked.jsonl\n")], check=1).stderr.decode()
        expect(place.group(0) in said, f"{extra}: {said!r} does not say {place.group(0)!r}")
    said = run(["dedup", "--skip-invalid", "--clusters", "--memory", "16M", "--manifest", pair], check=0).stderr.decode()
    expect("q.jsonl:2:1: " in said, f"--skip-invalid --memory: {said!r}")
    # A first shard with two byte order marks: the sequence starts with one, taken as dedup of the
    # written sequence takes it.
    marks = listing("marks.jsonl", b"\xef\xbb\xbf\xef\xbb\xbf" + b'{"id": "m", "text": "a b c d e f g"}\n')
    both = listing("marks", b"marks.jsonl\np.jsonl\n")
    written = listing("marks-sequence.jsonl", open(marks, "rb").read()[3:] + open(first, "rb").read())
    for extra in [[], ["--memory", "16M"]]:
        expect(run(["dedup", "-q", "--clusters"] + extra + ["--manifest", both], check=0).stdout ==
               run(["dedup", "-q", "--clusters", written], check=0).stdout, f"two byte order marks {extra}: differs")
    # A shard changed after it was sketched: the merge and the filter refuse it.
    staged_run(manifest, 2, 2, [], folder)
    # The same files in another order (the same total size): another input, said as such.
    names = open(manifest, "rb").read().split(b"\n")
    swapped = [n for n in names if n.strip()]
    swapped[0], swapped[2] = swapped[2], swapped[0]
    reordered = os.path.join(os.path.dirname(manifest), "reordered.manifest")
    with open(reordered, "wb") as f:
        f.write(b"\n".join(swapped) + b"\n")
    for stage in [["dedup", "--sketches", folder, "--merge"], ["dedup", "--sketches", folder, "--task", "0/2"],
                  ["filter", "--sketches", folder, "--part", "1/2"], ["group", "--sketches", folder, "--tasks", "2"]]:
        error(stage + ["--manifest", reordered], 1, r"sketched from another list of files")
    victim = os.path.join(os.path.dirname(manifest), "shard-002.jsonl")
    original = open(victim, "rb").read()
    with open(victim, "wb") as f:
        f.write(original.replace(b"w1", b"w2", 1) if b"w1" in original else original[:-2] + b"x\n")
    try:
        error(["dedup", "--sketches", folder, "--merge", "--manifest", manifest], 1, r"not the one sketched|sketched from another version")
        error(["filter", "--sketches", folder, "--part", "0/2", "--manifest", manifest], 1, r"not as it was sketched|another version")
    finally:
        with open(victim, "wb") as f:
            f.write(original)


@stage_case
def task_stage_mismatches_and_damage_are_errors():
    folder = os.path.join(WORK, "staged-bad")
    merged, _ = staged_run(CORPUS, 3, 3, ["--pairs"], folder)
    alone = run(["dedup", "-q", "--pairs", CORPUS], check=0).stdout
    expect(merged == alone, "staged --pairs differs")
    result = os.path.join(folder, "task-1-of-3.result")
    original = open(result, "rb").read()
    merge = ["dedup", "--sketches", folder, "--merge", "--pairs", CORPUS]
    # Options that differ between the tasks and the merge.
    error(["dedup", "--sketches", folder, "--merge", "--clusters", CORPUS], 1, r"made with --pairs, --cluster greedy.*this merge has no --pairs")
    error(["dedup", "--sketches", folder, "--merge", "--threshold", "0.7", "--pairs", CORPUS], 1, r"other similarity options \(bands, rows, threshold")
    error(["dedup", "--sketches", folder, "--task", "0/2", CORPUS], 1, r"assigns the documents to 3 tasks, not 2")
    error(["group", "--sketches", folder, "--tasks", "2", "--ngram", "4", CORPUS], 1, r"other similarity options")
    # A result damaged, cut short, or missing; a groups file damaged.
    for damage, pattern in [(lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:], r"checksum does not match"),
                            (lambda b: b[:len(b) // 2], r"cut short|too short|sizes do not add up"),
                            (lambda b: b"", r"too short")]:
        write(result, damage(original))
        error(merge, 1, pattern)
    os.remove(result)
    error(merge, 1, r"lacks the result of task 1 of 3")
    write(result, original)
    groups = os.path.join(folder, "groups")
    grouped = open(groups, "rb").read()
    write(groups, grouped[:200] + bytes([grouped[200] ^ 4]) + grouped[201:])
    error(merge, 1, r"groups file: its checksum")
    write(groups, grouped)
    run(merge, check=0)
    # Another grouping over the same folder: the earlier results are ignored, with a warning, once
    # every task of the new one is there; until then the merge says which are missing.
    run(["group", "--sketches", folder, "--tasks", "2", CORPUS], check=0)
    error(merge, 1, r"lacks the result of task 0 of 2 .*3 results there .* belong to another grouping")
    for k in range(2):
        run(["dedup", "-q", "--sketches", folder, "--task", "%d/2" % k, "--pairs", CORPUS], check=0)
    p = run(merge, check=0)
    expect(p.stdout == alone and b"ignored 3 task results" in p.stderr, f"after regrouping: {p.stderr.decode()}")
    # A record changed since it was sketched (same size): the task and the merge refuse it.
    data = open(CORPUS, "rb").read()
    changed = os.path.join(WORK, "changed.jsonl")
    shutil.copy(CORPUS, changed)
    folder2 = os.path.join(WORK, "staged-changed")
    staged_run(changed, 2, 2, [], folder2)
    at = data.index(b"w1 ", len(data) // 2)
    write(changed, data[:at] + b"x" + data[at + 1:])
    error(["dedup", "--sketches", folder2, "--merge", changed], 1, r"is not the one sketched")
    error(["dedup", "--sketches", folder2, "--task", "0/2", changed], 1, r"not the one sketched|changed since it was sketched")
    # The input changed (same size) and sketched again, but not grouped again: the groups file
    # and the task results no longer belong to the folder's sketch files.
    write(changed, data)
    staged_run(changed, 2, 2, [], folder2)
    write(changed, data[:at] + b"x" + data[at + 1:])
    sketch_parts(changed, 2, folder=os.path.join(WORK, "resketched"))
    for name in os.listdir(os.path.join(WORK, "resketched")):
        shutil.copy(os.path.join(WORK, "resketched", name), os.path.join(folder2, name))
    error(["dedup", "--sketches", folder2, "--task", "0/2", changed], 1, r"made from other sketch files.*run 'ditto group' again")
    error(["dedup", "--sketches", folder2, "--merge", changed], 1, r"made from other sketch files.*run 'ditto group' again")
    # The filter: checked against the folder, the tasks' rules and results.
    folder3 = os.path.join(WORK, "staged-filter")
    staged_run(CORPUS, 3, 2, [], folder3)
    expect(filtered(CORPUS, 3, [], folder3) == run(["dedup", "-q", CORPUS], check=0).stdout, "filtered parts differ")
    error(["filter", "--sketches", folder3, "--part", "0/2", CORPUS], 1, r"holds 3 parts, not 2")
    error(["filter", "--sketches", folder3, "--part", "1/3", "--cluster", "connected", CORPUS], 1, r"made with --cluster greedy, --keep first; this filter has --cluster connected")
    error(["filter", "--sketches", folder3, "--part", "1/3", "--ngram", "4", CORPUS], 1, r"other similarity options")
    result = os.path.join(folder3, "task-1-of-2.result")
    kept_result = open(result, "rb").read()
    write(result, kept_result[:-30] + bytes([kept_result[-30] ^ 1]) + kept_result[-29:])
    error(["filter", "--sketches", folder3, "--part", "1/3", CORPUS], 1, r"checksum does not match")
    os.remove(result)
    error(["filter", "--sketches", folder3, "--part", "1/3", CORPUS], 1, r"lacks the result of task 1 of 2")
    write(result, kept_result)
    # The input changed in place (same size, a line longer and another shorter): refused.
    changed3 = os.path.join(WORK, "changed3.jsonl")
    data3 = open(CORPUS, "rb").read()
    write(changed3, data3)
    staged_run(changed3, 3, 2, [], folder3)
    one = data3.index(b" w", len(data3) // 3)
    two = data3.index(b" w", 2 * len(data3) // 3)
    write(changed3, data3[:one] + b"  " + data3[one:two - 2] + data3[two:])
    for p in [1]:  # the part whose lines moved (the others hold their lines as sketched)
        error(["filter", "--sketches", folder3, "--part", "%d/3" % p, changed3], 1, r"not as it was sketched")
    write(changed3, data3)
    expect(filtered(changed3, 3, [], folder3) == run(["dedup", "-q", changed3], check=0).stdout, "filtered parts differ")
    error(["filter", "--sketches", folder3, "--part", "0/3", "-o", changed3, changed3], 2, r"is the input file")
    error(["filter", "--sketches", folder3, "--part", "0/3", "-o", os.path.join(folder3, "x.result"), changed3], 2,
          r"would be taken for a stage's file")
    error(["plan", "--parts", "2", "--tasks", "2", "--split-output", "--sketches", folder3, "-o", "/dev/null", CORPUS], 2,
          r"-o must name a file")
    error(["filter", "--sketches", folder3, CORPUS], 2, r"--part P/N is required")
    error(["filter", "--part", "0/3", CORPUS], 2, r"--sketches FOLDER is required")
    error(["filter", "--sketches", folder3, "--part", "3/3", CORPUS], 2, r"--part must be P/N")
    error(["plan", "--parts", "2", "--split-output", "--sketches", folder3, "-o", "x", CORPUS], 2, r"--split-output goes with --tasks")
    error(["plan", "--parts", "2", "--tasks", "2", "--split-output", "--sketches", folder3, "--pairs", "-o", "x", CORPUS], 2,
          r"--split-output goes with")
    # Usage.
    error(["dedup", "--sketches", folder, "--task", "0/3", "-o", os.path.join(WORK, "t.result"), CORPUS], 2,
          r"--task writes FOLDER/task-k-of-K.result")
    error(["dedup", "--task", "0/2", CORPUS], 2, r"--task goes with --sketches")
    error(["dedup", "--merge", CORPUS], 2, r"--merge goes with --sketches")
    error(["dedup", "--sketches", folder, "--task", "2/2", CORPUS], 2, r"--task must be k/K")
    error(["dedup", "--sketches", folder, "--task", "0/2", "--merge", CORPUS], 2, r"separate stages")
    error(["dedup", "--sketches", folder, "--merge", "-o", os.path.join(folder, "x.result"), CORPUS], 2, r"would be taken for a task")
    error(["group", "--sketches", folder, CORPUS], 2, r"--tasks K is required")
    error(["group", "--tasks", "2", CORPUS], 2, r"--sketches FOLDER is required")
    error(["group", "--sketches", folder, "--tasks", "0", CORPUS], 2, r"--tasks")


@stage_case
def damaged_stage_files_are_refused_never_crash():
    # Seeded random damage (flipped bytes, cuts, garbage appended) to the groups file and the task
    # results: the task and the merge exit 1 with a message, or 0 with dedup's own output; never
    # a signal (sanitizers abort on memory errors) or a usage error.
    folder = os.path.join(WORK, "staged-fuzz")
    merged, _ = staged_run(CORPUS, 2, 3, ["--pairs"], folder)
    alone = run(["dedup", "-q", "--pairs", CORPUS], check=0).stdout
    expect(merged == alone, "staged --pairs differs")
    g = random.Random(20261130)
    names = ["groups", "task-0-of-3.result", "task-2-of-3.result"]
    originals = {n: open(os.path.join(folder, n), "rb").read() for n in names}
    for i in range(20 if SANITIZED else 60):
        name = g.choice(names)
        data = bytearray(originals[name])
        kind = g.randrange(3)
        if kind == 0:
            for _ in range(g.randint(1, 4)):
                data[g.randrange(len(data))] ^= 1 << g.randrange(8)
        elif kind == 1:
            data = data[:g.randrange(len(data))]
        else:
            data += bytes(g.randrange(256) for _ in range(g.randint(1, 64)))
        write(os.path.join(folder, name), bytes(data))
        commands = [["dedup", "-q", "--sketches", folder, "--merge", "--pairs", CORPUS]]
        if name == "groups":
            commands.append(["dedup", "-q", "--sketches", folder, "--task", "%d/3" % g.randrange(3), "--pairs", CORPUS])
        for command in commands:
            p = subprocess.run([DITTO] + command, capture_output=True, timeout=120)
            expect(p.returncode in (0, 1), f"damage {i} to {name}: exit {p.returncode} for {command}: {p.stderr.decode()[-400:]}")
            if p.returncode == 1:
                expect(p.stderr.startswith(b"ditto: "), f"damage {i} to {name}: no message")
            elif command[4] == "--merge":
                expect(p.stdout == alone, f"damage {i} to {name}: exit 0 with other output")
        write(os.path.join(folder, name), originals[name])
        # A task run after damage to the groups file rewrote its result: the originals again.
        for n in names:
            write(os.path.join(folder, n), originals[n])


@stage_case
def killed_task_and_group_stages_then_a_rerun_give_the_same_output():
    folder = os.path.join(WORK, "staged-killed")
    out = os.path.join(WORK, "staged-killed.out")
    tasks = plan(["--parts", "2", "--tasks", "3", "--sketches", folder, "-o", out, "--clusters", TEMPLATES])
    expect([t["stage"] for t in tasks] == ["sketch"] * 2 + ["group"] + ["task"] * 3 + ["merge"], f"stages {[t['stage'] for t in tasks]}")
    alone = run(["dedup", "--clusters", TEMPLATES], check=0).stdout
    for delay in [0.0, 0.01, 0.05]:
        clear(folder)
        for t in tasks[:2]:
            run(t["argv"], check=0)
        for stage in ["group", "task"]:
            for t in [t for t in tasks if t["stage"] == stage]:
                p = subprocess.Popen([DITTO] + t["argv"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(delay)
                p.kill()
                p.wait()
                with open(t["outputs"][0] + ".tmp-K1lled", "wb") as f:  # a write cut short
                    f.write(b"DITTOTSK" + bytes(40))
            for t in [t for t in tasks if t["stage"] == stage]:
                run(t["argv"], check=0)
        p = run(tasks[-1]["argv"], check=0)
        expect(open(out, "rb").read() == alone, f"killed after {delay} s: the rerun differs from dedup alone")
        expect(re.search(rb"removed [4-9] temporary files left in --sketches", p.stderr) is not None, p.stderr.decode()[-300:])
        expect(sorted(os.listdir(folder)) == ["groups"] + ["part-%d-of-2.sketch" % i for i in range(2)] +
               ["task-%d-of-3.result" % k for k in range(3)], f"left: {sorted(os.listdir(folder))}")
    # The plan's checks.
    error(["plan", "--parts", "2", "--tasks", "0", "--sketches", folder, TEMPLATES], 2, r"--tasks")
    # --memory is the merge's alone.
    tasks = plan(["--parts", "2", "--tasks", "2", "--memory", "64M", "--sketches", folder, TEMPLATES])
    expect(["--memory=64M" in t["argv"] for t in tasks] == [False] * 3 + [True] * 3, f"--memory: {[t['argv'] for t in tasks]}")
    error(["plan", "--parts", "2", "--sketches", folder, "--merge", TEMPLATES], 2, r"the plan's to give")


DRIVER = os.path.join(SOURCE, "tools/dask/ditto_dask.py")


def python_with_dask(name):
    """A Python that imports Dask's distributed package, or None after saying that case name skips."""
    for python in [sys.executable, "/usr/bin/python3"]:
        if os.path.exists(python) and subprocess.run([python, "-c", "import distributed"], capture_output=True).returncode == 0:
            return python
    print(f"skip  {name}: Dask's distributed package cannot be imported (python3-distributed)")
    return None


@engine_case
def dask_driver_on_a_local_cluster():
    python = python_with_dask("dask_driver_on_a_local_cluster")
    if python is None:
        return
    # A plan option's value that is a driver option's name is the plan's (the driver's come first).
    for parts, mode in [(3, ["--pairs", "--id-field", "--workers"]), (7, [])]:
        folder = os.path.join(WORK, "dask-%d" % parts)
        os.makedirs(folder, exist_ok=True)
        out = os.path.join(WORK, "dask.out")
        p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--workers", "2", "--parts", str(parts), "--sketches", folder,
                            "-o", out] + mode + [CORPUS], capture_output=True, cwd=WORK)
        expect(p.returncode == 0, f"driver exit {p.returncode}: {p.stderr.decode()[-2000:]}")
        expect(b"sketch: %d tasks" % parts in p.stderr and b"dedup: 1 tasks" in p.stderr, f"stage report: {p.stderr.decode()[-800:]}")
        alone = run(["dedup"] + mode + [CORPUS], check=0)
        expect(open(out, "rb").read() == alone.stdout, f"{parts} parts on Dask, {mode}: differs from dedup alone")
    # The comparing split over tasks too.
    folder = os.path.join(WORK, "dask-tasks")
    os.makedirs(folder, exist_ok=True)
    for mode in [["--clusters"], ["--pairs"]]:
        out = os.path.join(WORK, "dask-tasks.out")
        p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--workers", "2", "--parts", "3", "--tasks", "3", "--sketches",
                            folder, "-o", out] + mode + [TEMPLATES], capture_output=True, cwd=WORK)
        expect(p.returncode == 0, f"driver exit {p.returncode}: {p.stderr.decode()[-2000:]}")
        for stage in [b"sketch: 3 tasks", b"group: 1 tasks", b"task: 3 tasks", b"merge: 1 tasks"]:
            expect(stage in p.stderr, f"no {stage}: {p.stderr.decode()[-800:]}")
        alone = run(["dedup"] + mode + [TEMPLATES], check=0)
        expect(open(out, "rb").read() == alone.stdout, f"tasks on Dask, {mode}: differs from dedup alone")
    # The kept lines written per part by filter tasks (--split-output).
    out = os.path.join(WORK, "dask-split.out")
    p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--workers", "2", "--parts", "3", "--tasks", "2", "--split-output",
                        "--sketches", folder, "-o", out, "--keep", "longest", TEMPLATES], capture_output=True, cwd=WORK)
    expect(p.returncode == 0 and b"filter: 3 tasks" in p.stderr, f"split output: exit {p.returncode}: {p.stderr.decode()[-800:]}")
    pieces = b"".join(open(out + "-%d-of-3" % i, "rb").read() for i in range(3))
    expect(pieces == run(["dedup", "--keep", "longest", TEMPLATES], check=0).stdout, "--split-output on Dask: differs from dedup alone")
    # A manifest of shards, split over tasks, the kept lines per part.
    manifest, sequence = shards("dask-shards", open(TEMPLATES, "rb").read(), [300, 0, 20, 900, 45], seed=8)
    out = os.path.join(WORK, "dask-manifest.out")
    p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--workers", "2", "--parts", "3", "--tasks", "2", "--split-output",
                        "--sketches", folder, "-o", out, "--manifest", manifest], capture_output=True, cwd=WORK)
    expect(p.returncode == 0, f"manifest: exit {p.returncode}: {p.stderr.decode()[-800:]}")
    pieces = b"".join(open(out + "-%d-of-3" % i, "rb").read() for i in range(3))
    expect(pieces == run(["dedup", sequence], check=0).stdout, "a manifest on Dask: differs from dedup of its sequence")
    # Help asked of the plan: printed, and nothing run.
    p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--parts", "2", "--sketches", folder, "-h", CORPUS],
                       capture_output=True, cwd=WORK)
    expect(p.returncode == 0 and p.stdout.startswith(b"Usage: ditto plan"), f"plan help: exit {p.returncode} {p.stdout[:200]!r}")
    # A task that fails every time (the input is not there): exit 1 naming the task, after the retries.
    p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--retries", "1", "--parts", "2", "--sketches", folder,
                        os.path.join(WORK, "missing.jsonl")], capture_output=True, cwd=WORK)
    expect(p.returncode == 1 and b"stage sketch, task 0" in p.stderr and b"cannot open" in p.stderr,
           f"failing task: exit {p.returncode}: {p.stderr.decode()[-800:]}")


@engine_case
def dask_every_part_count_and_task_count():
    python = python_with_dask("dask_every_part_count_and_task_count")
    if python is None:
        return
    modes = [[], ["--clusters"], ["--pairs"], ["--report"]]
    folder = os.path.join(WORK, "dask-matrix")
    for i, (parts, tasks) in enumerate([(p, k) for p in [1, 2, 3, 7] for k in [1, 3]]):
        mode = modes[i % len(modes)]
        clear(folder)
        out = os.path.join(WORK, "dask-matrix.out")
        p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--workers", "2", "--parts", str(parts), "--tasks", str(tasks),
                            "--sketches", folder, "-o", out] + mode + [CORPUS], capture_output=True, cwd=WORK)
        expect(p.returncode == 0, f"{parts} parts, {tasks} tasks: driver exit {p.returncode}: {p.stderr.decode()[-1000:]}")
        alone = run(["dedup", "-q"] + mode + [CORPUS], check=0).stdout
        expect(len(alone) > 0 and open(out, "rb").read() == alone, f"{parts} parts, {tasks} tasks, {mode} on Dask: differs")


# Stands in for ditto on the workers: the first run of each victim task (a sketch task, the dedup
# task) starts the real task, kills it a moment later, leaves a temporary as a write cut short
# would and then kills the worker running it, as a machine lost mid-task would; every other run
# is the real ditto.
KILLING_WRAPPER = """#!{python}
import os, signal, subprocess, sys, time
real, markers, delay = os.environ["DITTO_TEST_REAL"], os.environ["DITTO_TEST_MARKERS"], float(os.environ["DITTO_TEST_DELAY"])
argv = sys.argv[1:]
victim = "dedup" if argv[:1] == ["dedup"] else "sketch" if "1/3" in argv else None
marker = os.path.join(markers, str(victim))
if victim and not os.path.exists(marker):
    open(marker, "w").close()
    task = subprocess.Popen([real] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    task.kill()
    task.wait()
    # What the task leaves when killed while writing, whatever the timing did: its output cut short.
    if "-o" in argv:
        target = argv[argv.index("-o") + 1]
    else:  # a task writes FOLDER/task-k-of-K.result
        folder = [a.split("=", 1)[1] for a in argv if a.startswith("--sketches=")][0]
        k, tasks = argv[argv.index("--task") + 1].split("/")
        target = os.path.join(folder, "task-%s-of-%s.result" % (k.zfill(len(str(int(tasks) - 1))), tasks))
    with open(target + ".tmp-Dead00", "wb") as f:
        f.write(b"cut short")
    os.kill(os.getppid(), signal.SIGKILL)
    sys.exit(1)
os.execv(real, [real] + argv)
"""


@engine_case
def dask_workers_killed_mid_task():
    python = python_with_dask("dask_workers_killed_mid_task")
    if python is None:
        return
    wrapper = write("killing-ditto", KILLING_WRAPPER.format(python=python))
    os.chmod(wrapper, 0o755)
    alone = run(["dedup", "--clusters", CORPUS], check=0)
    for delay in [0.01, 0.05]:
        folder, markers = os.path.join(WORK, "dask-killed"), os.path.join(WORK, "dask-markers")
        clear(folder)
        clear(markers)
        out = os.path.join(WORK, "dask-killed.out")
        env = dict(os.environ, DITTO_TEST_REAL=DITTO, DITTO_TEST_MARKERS=markers, DITTO_TEST_DELAY=str(delay))
        p = subprocess.run([python, DRIVER, "--ditto", wrapper, "--workers", "2", "--parts", "3", "--sketches", folder,
                            "-o", out, "--clusters", CORPUS], capture_output=True, cwd=WORK, env=env)
        expect(p.returncode == 0, f"driver exit {p.returncode}: {p.stderr.decode()[-2000:]}")
        expect(sorted(os.listdir(markers)) == ["dedup", "sketch"], f"victims: {os.listdir(markers)}")
        for stage in [b"sketch", b"dedup"]:
            # The wrapper's, and perhaps the killed task's own.
            expect(re.search(b"ditto_dask: " + stage + rb": removed [1-9][0-9]* temporary files? left by interrupted tasks",
                             p.stderr) is not None,
                   f"{stage}: no removal reported: {p.stderr.decode()[-1500:]}")
        expect(open(out, "rb").read() == alone.stdout, f"workers killed after {delay} s: differs from dedup alone")
        expect(sorted(os.listdir(folder)) == ["part-%d-of-3.sketch" % i for i in range(3)], f"left: {os.listdir(folder)}")
        expect(not [n for n in os.listdir(WORK) if n.startswith("dask-killed.out.tmp-")], "the output's temporary left")
        # The whole run again over the same folder: the same files, the same output.
        before = {n: open(os.path.join(folder, n), "rb").read() for n in os.listdir(folder)}
        p = subprocess.run([python, DRIVER, "--ditto", DITTO, "--workers", "2", "--parts", "3", "--sketches", folder,
                            "-o", out, "--clusters", CORPUS], capture_output=True, cwd=WORK)
        expect(p.returncode == 0 and open(out, "rb").read() == alone.stdout, f"rerun: exit {p.returncode}")
        expect({n: open(os.path.join(folder, n), "rb").read() for n in os.listdir(folder)} == before, "rerun: other sketch files")
    # Split over tasks: the first task attempt's worker killed mid-task (the wrapper's "dedup" victim).
    folder, markers = os.path.join(WORK, "dask-killed-tasks"), os.path.join(WORK, "dask-markers")
    clear(folder)
    clear(markers)
    out = os.path.join(WORK, "dask-killed-tasks.out")
    env = dict(os.environ, DITTO_TEST_REAL=DITTO, DITTO_TEST_MARKERS=markers, DITTO_TEST_DELAY="0.05")
    p = subprocess.run([python, DRIVER, "--ditto", wrapper, "--workers", "2", "--parts", "3", "--tasks", "3", "--sketches",
                        folder, "-o", out, "--clusters", CORPUS], capture_output=True, cwd=WORK, env=env)
    expect(p.returncode == 0, f"driver exit {p.returncode}: {p.stderr.decode()[-2000:]}")
    expect(re.search(rb"ditto_dask: task: removed [1-9][0-9]* temporary files? left by interrupted tasks", p.stderr) is not None,
           f"task stage: no removal reported: {p.stderr.decode()[-1500:]}")
    expect(open(out, "rb").read() == alone.stdout, "tasks with a worker killed: differs from dedup alone")
    expect(sorted(os.listdir(folder)) == ["groups"] + ["part-%d-of-3.sketch" % i for i in range(3)] +
           ["task-%d-of-3.result" % k for k in range(3)], f"left: {os.listdir(folder)}")


finish()
