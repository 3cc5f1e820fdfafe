#!/usr/bin/env python3
"""End-to-end tests of `ditto diff`: short texts, standard input, FILE#ID references (ids with
'#', the id text rule), control characters in what is printed for people, and the marked text
against the JSON form on a text with many changes.

Usage: test_diff.py DITTO SOURCE_DIR WORK_DIR"""

import json
import os
import random
import re
import sys

DITTO, SOURCE, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import case, error, expect, finish, jsonl, run, setup, write  # noqa: E402

setup(DITTO, WORK)


def body(marked):
    """The marked text of `ditto diff --color=never` output: after the two header lines and the
    measures line with its blank line, up to the changed figures."""
    text = marked.split("\n", 4)[4]
    return text.split("\nChanged figures:\n", 1)[0]


@case
def short_texts_are_one_shingle():
    # Fewer words than --ngram: equal texts are one shared passage (was: all deleted and
    # inserted, with "Jaccard 1.00").
    a, b = write("short_a.txt", "Hello, World!"), write("short_b.txt", "hello world")
    out = run(["diff", "--color=never", a, b], check=0).stdout.decode()
    expect("Jaccard 1.00;" in out and "shared passages (1) cover 100% of A and 100% of B" in out, out)
    expect(body(out) == "hello world\n", repr(body(out)))
    j = json.loads(run(["diff", "--json", a, b], check=0).stdout)
    expect(j["shared"] == [{"a": [0, 12], "b": [0, 11]}] and j["deleted"] == [] and j["inserted"] == [], str(j))
    # Short texts that differ share nothing, even a word: one shingle each, and they differ.
    c = write("short_c.txt", "hello there")
    out = run(["diff", "--color=never", b, c], check=0).stdout.decode()
    expect("Jaccard 0.00;" in out and "shared passages (0)" in out, out)
    expect(body(out) == "[-hello world-]{+hello there+}\n", repr(body(out)))
    # --ngram 1: nothing is short; two words in common are a passage.
    j = json.loads(run(["diff", "--json", "--ngram", "1", b, c], check=0).stdout)
    expect(j["shared"] == [{"a": [0, 5], "b": [0, 5]}], str(j["shared"]))


@case
def standard_input_for_at_most_one_side():
    error(["diff", "-", "-"], 2, r"at most one of A and B may be standard input")
    error(["diff", "--", "-#1", "-#2"], 2, r"at most one of A and B may be standard input")
    text = "the quick brown fox jumps over the lazy dog again"
    b = write("stdin_b.txt", text + " today")
    j = json.loads(run(["diff", "--json", "-", b], stdin=text.encode(), check=0).stdout)
    expect(j["a"] == {"id": "-", "bytes": len(text)} and j["inserted"] == [[len(text) + 1, len(text) + 6]], str(j))
    # A JSONL record from standard input.
    j = json.loads(run(["diff", "--json", "--", b, "-#2"], stdin=jsonl({"text": "x"}, {"text": text}).encode(), check=0).stdout)
    expect(j["deleted"] == [[len(text) + 1, len(text) + 6]] and j["inserted"] == [], str(j))


@case
def ids_containing_hash_are_reachable():
    url_a, url_b = "https://x.example/a#b", "https://x.example/a"
    text = "Die Feuerwehr hat in der Nacht mehr als 30.000 Sandsäcke gefüllt und aufgeschichtet."
    f = write("urls.jsonl", jsonl({"id": url_b, "text": "unrelated words entirely, nothing shared at all"},
                                  {"id": url_a, "text": text},
                                  {"id": "c#", "text": text.replace("30.000", "31.000")}))
    j = json.loads(run(["diff", "--json", f + "#" + url_a, f + "#c#"], check=0).stdout)
    expect(j["a"]["id"] == f + "#" + url_a, str(j["a"]))
    expect([(x["old"], x["new"]) for x in j["changed_figures"]] == [("30.000", "31.000")], str(j["changed_figures"]))
    j = json.loads(run(["diff", "--json", f + "#" + url_b, f + "#" + url_a], check=0).stdout)
    expect(j["shared"] == [], "https://x.example/a must be its own record, not a prefix of the other id")
    # A file whose own name has '#': the whole name first, then the first '#' whose prefix is a file.
    os.makedirs(os.path.join(WORK, "we#ird"), exist_ok=True)
    named = write("we#ird/notes#1.txt", text)
    nested = write("we#ird/records#2.jsonl", jsonl({"id": "#", "text": text}))
    j = json.loads(run(["diff", "--json", named, nested + "##"], check=0).stdout)
    expect(j["deleted"] == [] and j["inserted"] == [], str(j))
    error(["diff", os.path.join(WORK, "missing.jsonl#a#b"), named], 1,
          r"cannot open .*missing\.jsonl#a#b: no such file, and no part of it before a '#' names a file")
    error(["diff", f + "#https://x.example/zzz", named], 1, r'no record with id "https://x.example/zzz" in .*urls\.jsonl')


@case
def ids_are_text_and_must_be_unambiguous():
    # A number id is its literal as written; a record without an id is its line number.
    f = write("ids.jsonl", '{"id": 1.50, "text": "first record text here for the diff"}\n'
                           '{"text": "second record text here for the diff"}\n'
                           '{"id": "x", "text": "third record text here for the diff"}\n')
    j = json.loads(run(["diff", "--json", f + "#1.50", f + "#2"], check=0).stdout)
    expect(j["a"]["bytes"] == len("first record text here for the diff"), str(j["a"]))
    error(["diff", f + "#1.5", f + "#2"], 1, r'no record with id "1\.5"')
    # The same id text twice, whatever its kind: an error naming both lines.
    g = write("dups.jsonl", jsonl({"id": 5, "text": "a number five"}, {"id": "5", "text": "a string five"},
                                  {"id": "z", "text": "other"}))
    error(["diff", g + "#5", g + "#z"], 1, r'dups\.jsonl:2: duplicate id "5" \(first on line 1\)')
    h = write("dups_line.jsonl", jsonl({"id": "2", "text": "the id two"}, {"text": "line two, no id"}))
    error(["diff", h + "#2", f + "#x"], 1, r'dups_line\.jsonl:2: duplicate id "2" \(first on line 1\)')
    # An id that is unique works even when other ids repeat.
    j = json.loads(run(["diff", "--json", g + "#z", g + "#z"], check=0).stdout)
    expect(j["deleted"] == [] and j["inserted"] == [], str(j))


@case
def control_characters_never_reach_the_terminal():
    esc, c1 = "\x1b[2J\x1b]0;owned\x07", "\u009b31m"
    a = "The council approved the plan for new bike lanes along the harbour on Tuesday evening."
    b = a.replace("new bike", "new " + esc + " bike") + " Read more " + c1 + " here\r now.\r\nNext line\n"
    fa, fb = write("ctl_a.txt", a), write("ctl\x1bname.txt", b.encode() + b"\xff\x9b end")
    out = run(["diff", "--color=never", fa, fb], check=0).stdout
    expect(b"\x1b" not in out and b"\x07" not in out and b"\xc2\x9b" not in out and b"\x9b" not in out, repr(out))
    text = out.decode()
    expect("+++ B: " + os.path.join(WORK, "ctl\\x1bname.txt") + " (" in text, text.splitlines()[1])
    expect("new \\x1b[{+2J\\x1b]0;owned+}\\x07 bike" in text, text)
    expect("\\u009b31m" in text, text)
    expect("here\\x0d now.\r\nNext line\n" in text, repr(text))  # a lone CR is escaped, CRLF kept
    expect("\\xff\\x9b end" in text, text)
    # With colour, the only escape sequences are the tool's own.
    out = run(["diff", "--color=always", fa, fb], check=0).stdout.decode()
    expect(re.sub(r"\x1b\[(31;9|32|33|0)m", "", out).count("\x1b") == 0, repr(out))
    # --json escapes C1 controls and DEL in names too (JSON allows them raw; a terminal may not).
    fc = write("ctl\u009bname\x7f.txt", b)
    out = run(["diff", "--json", fa, fc], check=0).stdout
    expect(b"\xc2\x9b" not in out and b"\x7f" not in out and b"\x1b" not in out, repr(out[:200]))
    expect(json.loads(out)["b"]["id"] == fc, repr(out[:200]))
    # Messages too.
    error(["diff", os.path.join(WORK, "no\x1b[2Jfile.jsonl#x"), fa], 1, r"no\\x1b\[2Jfile")


@case
def marked_text_agrees_with_json_on_many_changes():
    # One word in 12 changed, some words dropped and some added: removing the deletions and the
    # insertion marks from the marked text gives B back; the deletions are A's deleted spans.
    rng = random.Random(4)
    words = [f"w{rng.randrange(3000)}" for _ in range(6000)]
    a = " ".join(words)
    out_words = []
    for i, w in enumerate(words):
        if i % 12 == 5:
            out_words.append("changed")
        elif i % 97 == 3:
            continue
        else:
            out_words.append(w)
        if i % 113 == 9:
            out_words.append("added words here")
    b = " ".join(out_words)
    fa, fb = write("many_a.txt", a), write("many_b.txt", b)
    marked = body(run(["diff", "--color=never", fa, fb], check=0).stdout.decode())
    j = json.loads(run(["diff", "--json", fa, fb], check=0).stdout)
    deletions = re.findall(r"\[-(.*?)-\]", marked)
    restored = re.sub(r"\[-.*?-\] ?", "", marked).replace("{+", "").replace("+}", "")
    expect(restored == b + "\n", "B not restored from the marked text")
    expect(sorted(deletions) == sorted(a[s:e] for s, e in j["deleted"]), "deletions differ from --json")
    expect(len(j["deleted"]) > 500 and len(re.findall(r"\{\+", marked)) == len(j["inserted"]), str(len(j["deleted"])))


@case
def help_states_the_rules():
    h = run(["diff", "--help"], check=0).stdout.decode()
    for phrase in ("at most one of them", "first '#' whose prefix", "Every id is text", "error naming both lines",
                   "\\xHH", "C1 controls", "Texts shorter than K words are one shingle"):
        expect(phrase in h, f"--help lacks {phrase!r}")


finish()
