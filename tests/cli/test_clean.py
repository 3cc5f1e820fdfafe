#!/usr/bin/env python3
"""End-to-end tests of `ditto clean` and `ditto dedup --clean`: the sample corpus's injected promo,
"read more" and date-stamp lines removed and no article sentence; records rewritten with every
other byte as read; the spans file against the texts; a brute-force check of passages on a
generated corpus; thread counts; option and data errors; hostile input; a line in 10^5 records.

Usage: test_clean.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import re
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, jsonl, run, setup, write  # noqa: E402

setup(DITTO, WORK)
NEWS = os.path.join(SOURCE, "examples", "data", "news.jsonl")


def injected(line):
    """Whether a line of the sample corpus is one that sites inject (by its wording, not by ditto)."""
    return (line.startswith(("Join our Telegram channel", "Folgen Sie uns auf Telegram", "Подписывайтесь на наш канал в Телеграме",
                             "Read more:", "Weiterlesen:", "Читать далее:"))
            or re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", line) is not None)


def lines(text):
    return [l for l in text.split("\n") if l.strip()]


def records(data):
    return [json.loads(l) for l in data.decode().splitlines()]


ORIGINAL = [json.loads(l) for l in open(NEWS, encoding="utf-8")]


@case
def sample_corpus_has_what_the_scenario_needs():
    promo = sum(1 for r in ORIGINAL if any(injected(l) and "Telegram" in l for l in lines(r["text"])))
    stamps = sum(1 for r in ORIGINAL if any(re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", l) for l in lines(r["text"])))
    expect(promo >= 12 and stamps >= 12, f"{promo} documents with a Telegram promo, {stamps} with a date stamp")


@case
def sample_corpus_lines_every_injected_line_goes_and_no_other():
    p = run(["clean", "--no-passages", "--quiet", NEWS], check=0)
    out = records(p.stdout)
    expect([r["id"] for r in out] == [r["id"] for r in ORIGINAL], "records not in input order")
    removed = 0
    for before, after in zip(ORIGINAL, out):
        want = [l for l in lines(before["text"]) if not injected(l)]
        removed += len(lines(before["text"])) - len(want)
        expect(lines(after["text"]) == want, f"{before['id']}: {lines(after['text'])} != {want}")
        expect("\n\n\n" not in after["text"] and after["text"] == after["text"].strip("\n"),
               f"{before['id']}: blank lines left {after['text']!r}")
        expect({k: v for k, v in after.items() if k != "text"} == {k: v for k, v in before.items() if k != "text"},
               f"{before['id']}: other fields changed")
    expect(removed >= 50, f"only {removed} injected lines in the corpus")


@case
def sample_corpus_default_clean_loses_no_sentence():
    # Passages too: the copies' bodies go (their first occurrence, the original, stays).
    p = run(["clean", "--quiet", NEWS, "--spans", "spans.jsonl"], check=0)
    out = records(p.stdout)
    kept_text = "\n".join(r["text"] for r in out)
    for before, after in zip(ORIGINAL, out):
        for l in lines(before["text"]):
            if injected(l):
                expect(l not in after["text"], f"{before['id']}: {l!r} left")
        copy = before["id"].count("-") >= 2 and "-site-" not in before["id"]
        if not copy:  # originals and unrelated articles come first: they keep every sentence
            expect(lines(after["text"]) == [l for l in lines(before["text"]) if not injected(l)], before["id"])
    # Every sentence of every body is still somewhere; what a copy changed (a figure, a reworded
    # phrase) stays in the copy.
    by_id = {r["id"]: r for r in ORIGINAL}
    for before, after in zip(ORIGINAL, out):
        original = by_id.get("-".join(before["id"].split("-")[:2]), before)["text"]
        for l in lines(before["text"]):
            if injected(l):
                continue
            for sentence in re.split(r"(?<=[.!?])\s+", l):
                if sentence in original:
                    expect(sentence in kept_text, f"{before['id']}: {sentence!r} lost")
            for word in re.findall(r"\w+", l):
                if word not in original:
                    expect(word in after["text"], f"{before['id']}: changed word {word!r} lost")


@case
def dedup_clean_keeps_originals_without_injected_lines():
    p = run(["dedup", "--clean", NEWS], check=0)
    out = records(p.stdout)
    by_id = {r["id"]: r for r in ORIGINAL}
    expect(len(out) == 21, f"{len(out)} kept")
    for after in out:
        before = by_id[after["id"]]
        expect(lines(after["text"]) == [l for l in lines(before["text"]) if not injected(l)], after["id"])
    count = sum(1 for r in ORIGINAL for l in lines(r["text"]) if injected(l))
    expect(f"--clean removed {count} boilerplate lines before dedup and 0 repeated passages" in p.stderr.decode(),
           p.stderr.decode())
    report = run(["dedup", "--clean", "--report", "--quiet", NEWS], check=0).stdout.decode()
    expect("copy  en-bike-promo  1.00  identical" in report, report[:500])
    expect("copy  en-bike-readmore  1.00  identical" in report, report[:500])
    expect(report.rstrip().endswith("40 documents, 21 clusters, 19 duplicates"), report[-200:])
    # Without --clean the same clusters, the injected lines shown as added.
    plain = run(["dedup", "--report", "--quiet", NEWS], check=0).stdout.decode()
    expect('copy  en-bike-promo  0.88  adds "Join our Telegram' in plain, plain[:500])


@case
def spans_file_describes_each_cut():
    p = run(["clean", "--quiet", "--min-docs", "6", NEWS, "--spans", "spans.jsonl"], check=0)
    out = {r["id"]: r["text"] for r in records(p.stdout)}
    texts = {r["id"]: r["text"].encode() for r in ORIGINAL}
    spans = [json.loads(l) for l in open(os.path.join(WORK, "spans.jsonl"), encoding="utf-8")]
    expect({s["kind"] for s in spans} == {"line", "passage"}, str({s["kind"] for s in spans}))
    by_doc = {}
    for s in spans:
        by_doc.setdefault(s["id"], []).append(s)
        t = texts[s["id"]]
        expect(0 <= s["start"] < s["end"] <= len(t), str(s))
        t[s["start"]:s["end"]].decode()  # never inside a UTF-8 character
        if s["kind"] == "passage":
            k = s["kept"]
            expect(texts[k["id"]][k["start"]:k["end"]] == t[s["start"]:s["end"]], f"kept bytes differ: {s}")
        else:
            expect(s["kept"] is None, str(s))  # lines: every occurrence removed by default
            expect(injected(t[s["start"]:s["end"]].decode().strip("\n")), str(s))
    # The output is the text less its spans (and the spacing a cut leaves).
    for doc_id, ss in by_doc.items():
        t, rest, pos = texts[doc_id], b"", 0
        for s in sorted(ss, key=lambda s: s["start"]):
            rest += t[pos:s["start"]]
            pos = s["end"]
        rest += t[pos:]
        squash = lambda b: re.sub(r"\s+", " ", b.decode()).strip()
        expect(squash(rest) == squash(out[doc_id].encode()), f"{doc_id}: output is not the text less its spans")


@case
def other_fields_and_untouched_records_stay_byte_for_byte():
    promo = "Join our channel for the latest news today"
    row = ('{"n": 1.50e0, "id": "r%d", "meta": {"k": [1, "\\u00e9", {"text": "inner"}]}, '
           '"te\\u0078t": "Body %s of the story.\\n%s\\r\\n\\u00e9t\\u00e9 %s"}\r\n')
    rows = [row % (i, "abcd"[i], promo, "wxyz"[i]) for i in range(4)]
    rows.append('{"id": "plain", "text": "A line with an escape \\" and no boilerplate"}\n')
    path = write("fields.jsonl", "".join(rows))
    p = run(["clean", "--quiet", "--min-docs", "3", path], check=0)
    got = p.stdout.decode().splitlines(True)
    expect(len(got) == 5, str(got))
    for i in range(4):
        want = ('{"n": 1.50e0, "id": "r%d", "meta": {"k": [1, "\\u00e9", {"text": "inner"}]}, '
                '"te\\u0078t": "Body %s of the story.\\n\u00e9t\u00e9 %s"}\r\n') % (i, "abcd"[i], "wxyz"[i])
        expect(got[i] == want, f"{got[i]!r} != {want!r}")
    expect(got[4] == rows[4], repr(got[4]))


@case
def passages_against_a_brute_force_on_a_generated_corpus():
    rng = random.Random(5)
    vocab = ["river", "город", "桥", "vote", "мост", "会", "plan", "ночь", "夜", "station"]
    passage = " ".join(rng.choice(vocab) + str(i) for i in range(12))
    docs = []
    for d in range(30):
        words = [f"w{d}x{i}" for i in range(rng.randrange(5, 30))]
        if rng.random() < 0.4:
            words.insert(rng.randrange(len(words) + 1), passage)
        docs.append({"id": f"d{d}", "text": " ".join(words)})
    path = write("gen.jsonl", jsonl(*docs))
    p = run(["clean", "--quiet", "--no-lines", "--min-tokens", "8", path, "--spans", "gen-spans.jsonl"], check=0)
    out = records(p.stdout)
    holders = [d["id"] for d in docs if passage in d["text"]]
    for before, after in zip(docs, out):
        if before["id"] in holders[1:]:
            expect(after["text"] == " ".join(before["text"].replace(passage, " ").split()), f"{before['id']}: {after['text']!r}")
        else:
            expect(after["text"] == before["text"], before["id"])
    spans = [json.loads(l) for l in open(os.path.join(WORK, "gen-spans.jsonl"), encoding="utf-8")]
    expect(len(spans) == max(0, len(holders) - 1), str(spans))
    for s in spans:
        expect(s["kept"]["id"] == holders[0] and s["end"] - s["start"] == len(passage.encode()), str(s))
    # --remove all: every copy goes.
    out = records(run(["clean", "--quiet", "--no-lines", "--min-tokens", "8", "--remove", "all", path], check=0).stdout)
    expect(all(passage not in r["text"] for r in out), "--remove all kept a copy")


@case
def drop_below_leaves_out_short_records_and_lists_them():
    data = jsonl(*[{"id": i, "text": f"Unique words {chr(97 + i)}word here\nSubscribe now to our list"} for i in range(6)],
                 {"id": "long", "text": "one two three four five six seven eight"})
    path = write("drop.jsonl", data)
    p = run(["clean", "--quiet", "--drop-below", "5", path, "--spans", "drop-spans.jsonl"], check=0)
    out = records(p.stdout)
    expect([r["id"] for r in out] == ["long"], str(out))
    spans = [json.loads(l) for l in open(os.path.join(WORK, "drop-spans.jsonl"), encoding="utf-8")]
    expect(sum(1 for s in spans if s["kind"] == "dropped") == 6 and all(s["words"] == 4 for s in spans if s["kind"] == "dropped"),
           str(spans))


@case
def skip_invalid_copies_bad_lines_in_their_place():
    good = [json.dumps({"id": i, "text": f"Story {chr(97 + i)} words here\nSubscribe now to our list"}) for i in range(6)]
    bad = ["not json at all", "", '{"id": 40}', '["an", "array"]', '{"id": 41, "text": 7}', '{"id": 42, "text": "cut sh']
    lines_in = [good[0], bad[0], good[1], bad[1], bad[2], good[2], good[3], bad[3], bad[4], good[4], good[5], bad[5]]
    path = write("skip.jsonl", "\n".join(lines_in))  # the last line unterminated and cut short
    error(["clean", path], 1, r"skip\.jsonl:2:")
    p = run(["clean", "--skip-invalid", "--drop-below", "9", path, "--spans", "skip-spans.jsonl"], check=0)
    got = p.stdout.decode().split("\n")
    expect(got[-1] == "", repr(got[-1]))
    got = got[:-1]
    # Every good record had its boilerplate line cut, then fell under --drop-below (4 words): only
    # the bad lines are left, byte for byte, in input order.
    expect(got == [b for b in lines_in if b in bad], str(got))
    expect(re.search(r"6 documents, 6 boilerplate lines .* 6 documents dropped", p.stderr.decode()) is not None, p.stderr.decode())
    expect(re.search(r"6 lines skipped \(copied unchanged\), the first: .*skip\.jsonl:2:", p.stderr.decode()) is not None,
           p.stderr.decode())
    spans = [json.loads(l) for l in open(os.path.join(WORK, "skip-spans.jsonl"), encoding="utf-8")]
    expect(sorted({s["id"] for s in spans}) == list(range(6)), str(spans))
    # Without --drop-below the cleaned records and the bad lines interleave as in the input.
    p = run(["clean", "--quiet", "--skip-invalid", path], check=0)
    got = p.stdout.decode().split("\n")[:-1]
    want = [b if b in bad else json.dumps({"id": json.loads(b)["id"], "text": json.loads(b)["text"].split("\n")[0]})
            for b in lines_in]
    expect([g if g in bad else json.dumps(json.loads(g)) for g in got] == want, str(got))
    # The same bad lines, the same place, as 'ditto dedup --skip-invalid' copies them.
    d = run(["dedup", "--quiet", "--skip-invalid", path], check=0).stdout.decode().splitlines()
    expect([x for x in d if x in bad] == [g for g in got if g in bad], str(d))
    # Input parsed in several chunks on several threads (about 1.2 MB): every line in its place.
    rng = random.Random(11)
    big = []
    for i in range(6000):
        if rng.random() < 0.03:
            big.append(rng.choice(["junk %d" % i, "", '{"id": "x%d"}' % i, '{"id": "y%d", "text": [1]}' % i]))
        else:
            words = ("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(7)) for _ in range(20))
            big.append(json.dumps({"id": i, "text": " ".join(words)}))
    path = write("skip-big.jsonl", "\n".join(big) + "\n")
    for threads in ["1", "2"]:
        p = run(["clean", "--skip-invalid", "--threads", threads, path], check=0)
        expect(p.stdout.decode().split("\n")[:-1] == big, f"--threads {threads}: lines moved or changed")
        skipped = sum(1 for b in big if not b.startswith('{"id": ') or '"text": "' not in b)
        expect(re.search(r"%d lines skipped" % skipped, p.stderr.decode()) is not None, p.stderr.decode())


@case
def output_does_not_depend_on_threads():
    outs = set()
    for t in ("1", "2", "8"):
        p = run(["clean", "--quiet", "--threads", t, NEWS, "--spans", f"t{t}.jsonl", "--min-tokens", "10"], check=0)
        outs.add((p.stdout, open(os.path.join(WORK, f"t{t}.jsonl"), "rb").read()))
    expect(len(outs) == 1, "output depends on --threads")


@case
def memory_budget_spills_and_changes_nothing():
    # 1K of window records is 64 of them: the news sample's windows go through hundreds of runs.
    want = run(["clean", "--quiet", NEWS, "--spans", "mem-want.jsonl", "--min-tokens", "10"], check=0).stdout
    want_spans = open(os.path.join(WORK, "mem-want.jsonl"), "rb").read()
    tmp = os.path.join(WORK, "clean-tmp")
    os.makedirs(tmp, exist_ok=True)
    for memory, threads in (("1K", "1"), ("1K", "2"), ("64K", "2"), ("1G", "2")):
        p = run(["clean", "--quiet", "--memory", memory, "--tmp-dir", tmp, "--threads", threads, NEWS,
                 "--spans", "mem-got.jsonl", "--min-tokens", "10"], check=0)
        expect(p.stdout == want, f"--memory {memory} --threads {threads} changed the output")
        expect(open(os.path.join(WORK, "mem-got.jsonl"), "rb").read() == want_spans, f"--memory {memory}: spans differ")
        expect(os.listdir(tmp) == [], f"--memory {memory} left {os.listdir(tmp)}")
    p = run(["clean", "--quiet", "--memory", "1K", NEWS, "--min-tokens", "10"], check=0)
    expect(p.stdout == want, "--memory without --tmp-dir changed the output")
    error(["clean", "--memory", "0", NEWS], 2, r"--memory")
    error(["clean", "--memory", "12Q", NEWS], 2, r"--memory")
    error(["clean", "--memory", "1M", "--tmp-dir", os.path.join(WORK, "no-such-dir"), NEWS], 2, r"is not a folder")
    error(["clean", "--memory", "1M", "--tmp-dir", "", NEWS], 2, r"--tmp-dir")


@case
def memory_budget_signal_leaves_nothing():
    # SIGTERM while runs are being spilled: the process dies by it and no run is left.
    import signal
    import subprocess
    import time
    rng = random.Random(8)
    docs = [{"id": i, "text": " ".join(f"w{rng.randrange(3000)}" for _ in range(300))} for i in range(10000)]
    write("sig.jsonl", jsonl(*docs))
    os.makedirs(os.path.join(WORK, "sigruns"), exist_ok=True)
    p = subprocess.Popen([DITTO, "clean", "--memory", "4K", "--threads", "1", "--tmp-dir", "sigruns", "sig.jsonl",
                          "-o", "sig-out.jsonl"], cwd=WORK, stderr=subprocess.PIPE)
    time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    p.communicate()
    if p.returncode == 0:
        return  # finished first (a fast machine): nothing to check
    expect(p.returncode == -signal.SIGTERM, f"exit {p.returncode}")
    expect(os.listdir(os.path.join(WORK, "sigruns")) == [], "runs left behind")
    left = [f for f in os.listdir(WORK) if f.startswith("sig-out")]
    expect(left == [], f"left behind: {left}")


@case
def a_line_in_a_hundred_thousand_records():
    data = "".join('{"id": %d, "text": "Story %s\\nShare this article with your friends"}\n' % (i, hex(i * 7919)[2:].translate(str.maketrans("0123456789", "ghijklmnop"))) for i in range(100000))
    path = write("storm.jsonl", data)
    p = run(["clean", path, "-o", "storm-out.jsonl"], check=0)
    expect("100000 boilerplate lines" in p.stderr.decode(), p.stderr.decode())
    first = open(os.path.join(WORK, "storm-out.jsonl"), encoding="utf-8").readline()
    expect(json.loads(first)["text"] == "Story g", first)


@case
def usage_errors():
    error(["clean", "--min-docs", "1", NEWS], 2, r"--min-docs must be")
    error(["clean", "--min-tokens", "0", NEWS], 2, r"--min-tokens must be")
    error(["clean", "--min-tokens", "70000", NEWS], 2, r"--min-tokens must be")
    error(["clean", "--remove", "some", NEWS], 2, r"--remove must be 'copies' or 'all'")
    error(["clean", "--remove-lines", "x", NEWS], 2, r"--remove-lines must be 'copies' or 'all'")
    error(["clean", "--no-lines", "--no-passages", NEWS], 2, r"leave nothing to remove")
    error(["clean", "--drop-below", "-3", NEWS], 2, r"--drop-below")
    error(["clean", "--frobnicate", NEWS], 2, r"frobnicate")
    error(["clean", NEWS, NEWS], 2, r"more than one input")
    error(["clean", "--spans", "same.jsonl", "-o", "same.jsonl", NEWS], 2, r"name the same file")
    error(["clean", "--spans", os.path.join(WORK, "no", "such", "dir", "s.jsonl"), NEWS], 2, r"--spans")
    error(["clean", "--text-field", "id", NEWS], 2, r"must differ")
    error(["dedup", "--min-docs", "3", NEWS], 2, r"--min-docs goes with --clean")
    error(["dedup", "--clean", "--drop-below", "3", NEWS], 2, r"--drop-below goes with 'ditto clean'")
    h = run(["clean", "--help"], check=0).stdout.decode()
    for phrase in ("--min-docs", "--min-tokens", "--remove copies|all", "--spans FILE", "--drop-below", "does not depend on --threads"):
        expect(phrase in h, f"--help lacks {phrase!r}")
    expect("--clean" in run(["dedup", "--help"], check=0).stdout.decode(), "dedup --help lacks --clean")
    expect("clean" in run(["--help"], check=0).stdout.decode(), "ditto --help lacks clean")


@case
def data_errors_and_hostile_input():
    error(["clean", write("trunc.jsonl", '{"id": 1, "text": "a b c"}\n{"id": 2, "text": "a b')], 1, r"trunc\.jsonl:2:")
    error(["clean", write("dup.jsonl", jsonl({"id": 1, "text": "a"}, {"id": 1, "text": "b"}))], 1, r"dup\.jsonl:2: id .* line 1")
    error(["clean", write("notext.jsonl", '{"id": 1}\n')], 1, r"missing field")
    error(["clean", "--invalid-utf8", "error", write("bad.jsonl", b'{"id": 1, "text": "a \xff b"}\n')], 1, r"bad\.jsonl:1:")
    error(["clean", os.path.join(WORK, "missing.jsonl")], 1, r"missing\.jsonl")
    # Invalid UTF-8 replaced, control characters kept (escaped in JSON), a huge line.
    body = "x" * 5_000_000
    rows = [b'{"id": 1, "text": "a \xff b\\u0001\\nShared boilerplate line\\u0007\\n' + body.encode() + b'"}\n']
    rows += [b'{"id": %d, "text": "c%c\\nShared boilerplate line\\u0007"}\n' % (i, 96 + i) for i in range(2, 8)]
    p = run(["clean", "--quiet", write("hostile.jsonl", b"".join(rows))], check=0)
    out = records(p.stdout)
    expect(out[0]["text"] == "a \ufffd b\u0001\n" + body, out[0]["text"][:60])
    expect(all(r["text"] == "c" + chr(96 + r["id"]) for r in out[1:]), str(out[1:]))
    p = run(["clean", "--quiet"], stdin=b"", check=0)
    expect(p.stdout == b"", "empty input gave output")


finish()
