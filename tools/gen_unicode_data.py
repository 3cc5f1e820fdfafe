#!/usr/bin/env python3
"""Generate include/ditto/text/unicode_data.hpp from the Unicode Character Database.

Usage: tools/gen_unicode_data.py [UCD_DIR] [OUTPUT]
Defaults: /usr/share/unicode (Debian's unicode-data package) and
include/ditto/text/unicode_data.hpp relative to the repository root.

Standard library only. The output is deterministic: running the generator twice on the
same UCD gives byte-identical headers, so a diff of the header shows exactly what a
new Unicode version changed.

What is generated:
  * a two-stage property table, one byte per code point:
      bits 0-4  general category (ditto::unicode::general_category)
      bit  5    standalone: an ideograph, kana or hangul syllable, or a letter of Thai, Lao,
                Khmer or Myanmar, which is a token alone (with the marks after it)
      bit  6    strippable mark: Mn with a non-zero canonical combining class
      bit  7    the code point has an entry in at least one mapping table below
  * mapping tables, each a sorted array of (code point, offset, length) into a shared
    pool of code points:
      simple case folding   (CaseFolding.txt statuses C + S)
      full case folding     (CaseFolding.txt statuses C + F)
      diacritic stripping   (full canonical decomposition, strippable marks removed)
      compatibility folding (NFKC of the single code point, when it differs from NFC)
      canonical decomposition     (NFD of the code point, hangul syllables excepted)
      compatibility decomposition (NFKD of the code point, where it differs from its NFD)
  * a second two-stage table for canonical equivalence, 16 bits per code point:
      bits 0-7  canonical combining class
      bit  8    NFC-sensitive: a non-zero class, or NFC_Quick_Check not Yes
      bit  9    NFKC-sensitive: a non-zero class, or NFKC_Quick_Check not Yes
      bit 10    NFC segment start: a starter whose canonical decomposition starts with a
                starter that composes with nothing before it (quick check not Maybe)
      bit 11    NFKC segment start: the same for the compatibility decomposition
    A code point with neither bit is a starter that nothing before it composes with, so
    normalization can start afresh there; bit 7 of the property byte is set for both kinds,
    so the normalizer's common path (bit 7 clear) needs no second look-up.
  * the primary composites as (first, second, composite) sorted by (first, second), full
    composition exclusions left out; hangul composes algorithmically.

The standalone bit also covers the letters of Thai, Lao, Khmer and Myanmar, which are written
without spaces between words: each letter (with the marks after it) becomes a token.
"""
import re
import os
import sys

BLOCK = 128
MAX_CP = 0x110000

GC_NAMES = ["Lu", "Ll", "Lt", "Lm", "Lo", "Mn", "Mc", "Me", "Nd", "Nl", "No",
            "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Sm", "Sc", "Sk", "So",
            "Zs", "Zl", "Zp", "Cc", "Cf", "Cs", "Co", "Cn"]
GC_INDEX = {name: i for i, name in enumerate(GC_NAMES)}


def data_lines(path):
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                yield [field.strip() for field in line.split(";")]


def code_range(text):
    if ".." in text:
        lo, hi = text.split("..")
        return range(int(lo, 16), int(hi, 16) + 1)
    return range(int(text, 16), int(text, 16) + 1)


def read_unicode_data(ucd):
    gc = ["Cn"] * MAX_CP
    ccc = [0] * MAX_CP
    decomp = {}  # cp -> (is_compat, [cps])
    pending_first = None
    for fields in data_lines(os.path.join(ucd, "UnicodeData.txt")):
        cp = int(fields[0], 16)
        name = fields[1]
        if name.endswith(", First>"):
            pending_first = cp
            continue
        lo = pending_first if name.endswith(", Last>") else cp
        pending_first = None
        for c in range(lo, cp + 1):
            gc[c] = fields[2]
            ccc[c] = int(fields[3])
        if fields[5]:
            parts = fields[5].split()
            compat = parts[0].startswith("<")
            if compat:
                parts = parts[1:]
            decomp[cp] = (compat, [int(p, 16) for p in parts])
    return gc, ccc, decomp


def read_property(ucd, filename, wanted):
    result = set()
    for fields in data_lines(os.path.join(ucd, filename)):
        if fields[1] in wanted:
            result.update(code_range(fields[0]))
    return result


def read_case_folding(ucd):
    simple, full = {}, {}
    for fields in data_lines(os.path.join(ucd, "CaseFolding.txt")):
        cp, status = int(fields[0], 16), fields[1]
        target = [int(p, 16) for p in fields[2].split()]
        if status in ("C", "S"):
            simple[cp] = target
        if status in ("C", "F"):
            full[cp] = target
    return simple, full


def hangul_compose(first, second):
    """Algorithmic composition of conjoining jamo (Unicode chapter 3.12)."""
    if 0x1100 <= first <= 0x1112 and 0x1161 <= second <= 0x1175:
        return 0xAC00 + ((first - 0x1100) * 21 + (second - 0x1161)) * 28
    if 0xAC00 <= first <= 0xD7A3 and (first - 0xAC00) % 28 == 0 and 0x11A8 <= second <= 0x11C2:
        return first + (second - 0x11A7)
    return None


class Normalizer:
    """Just enough of UAX #15 to compute NFD, NFKD and NFC of short sequences."""

    def __init__(self, ccc, decomp, exclusions):
        self.ccc = ccc
        self.decomp = decomp
        self.compose_pairs = {}
        for cp, (compat, parts) in decomp.items():
            if not compat and len(parts) == 2 and cp not in exclusions:
                self.compose_pairs[(parts[0], parts[1])] = cp

    def decompose(self, cps, compat):
        out = []
        for cp in cps:
            entry = self.decomp.get(cp)
            if entry and (compat or not entry[0]):
                out.extend(self.decompose(entry[1], compat))
            else:
                out.append(cp)
        return out

    def reorder(self, cps):
        cps = list(cps)
        # Canonical ordering: stable sort of each run of non-starters by combining class.
        i = 0
        while i < len(cps):
            if self.ccc[cps[i]] == 0:
                i += 1
                continue
            j = i
            while j < len(cps) and self.ccc[cps[j]] != 0:
                j += 1
            cps[i:j] = sorted(cps[i:j], key=lambda c: self.ccc[c])
            i = j
        return cps

    def compose(self, cps):
        # Canonical composition (UAX #15): a character joins the last starter unless a
        # character between them blocks it (a starter, or a class at least as high).
        if not cps:
            return cps
        out = [cps[0]]
        starter = 0 if self.ccc[cps[0]] == 0 else None
        for cp in cps[1:]:
            c = self.ccc[cp]
            if starter is not None:
                between = self.ccc[out[-1]] if len(out) - 1 > starter else None
                if between is None or (between != 0 and between < c):
                    composite = self.compose_pairs.get((out[starter], cp))
                    if composite is None and between is None:
                        composite = hangul_compose(out[starter], cp)
                    if composite is not None:
                        out[starter] = composite
                        continue
            if c == 0:
                starter = len(out)
            out.append(cp)
        return out

    def nfd(self, cps):
        return self.reorder(self.decompose(cps, False))

    def nfkc(self, cps):
        return self.compose(self.reorder(self.decompose(cps, True)))

    def nfc(self, cps):
        return self.compose(self.nfd(cps))


def build(ucd):
    gc, ccc, decomp = read_unicode_data(ucd)
    simple_fold, full_fold = read_case_folding(ucd)
    exclusions = read_property(ucd, "DerivedNormalizationProps.txt", {"Full_Composition_Exclusion"})
    ideographic = read_property(ucd, "PropList.txt", {"Ideographic"})
    kana = read_property(ucd, "Scripts.txt", {"Hiragana", "Katakana"})
    hangul = read_property(ucd, "HangulSyllableType.txt", {"LV", "LVT"})
    unspaced = read_property(ucd, "Scripts.txt", {"Thai", "Lao", "Khmer", "Myanmar"})
    nfc_qc = read_property(ucd, "DerivedNormalizationProps.txt", {"NFC_QC"})
    nfkc_qc = read_property(ucd, "DerivedNormalizationProps.txt", {"NFKC_QC"})
    nfc_maybe, nfkc_maybe = set(), set()
    for fields in data_lines(os.path.join(ucd, "DerivedNormalizationProps.txt")):
        if fields[1] in ("NFC_QC", "NFKC_QC") and fields[2] == "M":
            (nfc_maybe if fields[1] == "NFC_QC" else nfkc_maybe).update(code_range(fields[0]))
    norm = Normalizer(ccc, decomp, exclusions)

    def strippable(cp):
        return gc[cp] == "Mn" and ccc[cp] != 0

    strip = {}
    compat = {}
    canonical_decomposition = {}
    compatibility_decomposition = {}
    for cp in sorted(decomp):
        if 0xAC00 <= cp <= 0xD7A3:
            continue  # hangul syllables decompose algorithmically
        nfd = norm.nfd([cp])
        if not decomp[cp][0]:
            canonical_decomposition[cp] = nfd
        nfkd = norm.reorder(norm.decompose([cp], True))
        if nfkd != nfd:
            compatibility_decomposition[cp] = nfkd
    for cp in sorted(decomp):
        d = norm.nfd([cp])
        kept = [c for c in d if not strippable(c)]
        if kept != [cp]:
            strip[cp] = norm.nfc(kept)
        if decomp[cp][0] or any(decomp.get(c, (False,))[0] for c in d):
            k = norm.nfkc([cp])
            if k != norm.nfc([cp]):
                compat[cp] = k

    canonical = [0] * MAX_CP
    for cp in range(MAX_CP):
        value = ccc[cp]
        if ccc[cp] != 0 or cp in nfc_qc:
            value |= 0x100
        if ccc[cp] != 0 or cp in nfkc_qc:
            value |= 0x200
        # A segment may start here: a starter whose decomposition starts with a starter that
        # does not compose with what precedes it (quick check Maybe marks those that may).
        nfd = norm.nfd([cp])
        if ccc[cp] == 0 and ccc[nfd[0]] == 0 and nfd[0] not in nfc_maybe:
            value |= 0x400
        nfkd = norm.reorder(norm.decompose([cp], True))
        if ccc[cp] == 0 and ccc[nfkd[0]] == 0 and nfkd[0] not in nfkc_maybe:
            value |= 0x800
        canonical[cp] = value
    sensitive = {cp for cp in range(MAX_CP) if canonical[cp] & 0x300}

    mapped = set(simple_fold) | set(full_fold) | set(strip) | set(compat) | sensitive
    props = bytearray(MAX_CP)
    for cp in range(MAX_CP):
        value = GC_INDEX[gc[cp]]
        standalone = cp in hangul or (gc[cp][0] in "LN" and (cp in ideographic or cp in kana)) or \
            (gc[cp][0] == "L" and cp in unspaced)
        if standalone:
            value |= 0x20
        if strippable(cp):
            value |= 0x40
        if cp in mapped:
            value |= 0x80
        props[cp] = value
    pairs = sorted((first, second, cp) for (first, second), cp in norm.compose_pairs.items())
    first_sensitive = {
        "nfc": min(cp for cp in range(MAX_CP) if canonical[cp] & 0x100),
        "nfkc": min(cp for cp in range(MAX_CP) if canonical[cp] & 0x200),
    }
    return props, [("simple_fold", simple_fold), ("full_fold", full_fold),
                   ("strip", strip), ("compat", compat),
                   ("canonical_decomposition", canonical_decomposition),
                   ("compatibility_decomposition", compatibility_decomposition)], \
        canonical, pairs, first_sensitive


def two_stage(props):
    blocks, index = {}, []
    for start in range(0, MAX_CP, BLOCK):
        block = tuple(props[start:start + BLOCK])
        if block not in blocks:
            blocks[block] = len(blocks)
        index.append(blocks[block])
    ordered = sorted(blocks, key=blocks.get)
    return index, ordered


def format_array(values, per_line, width):
    lines = []
    for i in range(0, len(values), per_line):
        lines.append("    " + ", ".join(f"0x{v:0{width}X}" for v in values[i:i + per_line]) + ",")
    return "\n".join(lines)


def unicode_version(ucd):
    with open(os.path.join(ucd, "ReadMe.txt"), encoding="utf-8") as f:
        for line in f:
            if "for Version" in line:
                return line.split("for Version", 1)[1].split()[0]
    raise SystemExit("cannot find the Unicode version in ReadMe.txt")


def abi_namespace(root):
    # The library's versioned inline namespace, v<major>_<minor>, from project(VERSION).
    with open(os.path.join(root, "CMakeLists.txt"), encoding="utf-8") as f:
        found = re.search(r"project\(ditto\s+VERSION\s+(\d+)\.(\d+)", f.read())
    if not found:
        raise SystemExit("cannot find project(ditto VERSION ...) in CMakeLists.txt")
    return f"v{found.group(1)}_{found.group(2)}"


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ucd = sys.argv[1] if len(sys.argv) > 1 else "/usr/share/unicode"
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "include", "ditto", "text",
                                                             "unicode_data.hpp")
    version = unicode_version(ucd)
    abi = abi_namespace(root)
    major, minor, update = (int(x) for x in version.split("."))
    props, tables, canonical, pairs, first_sensitive = build(ucd)
    index, blocks = two_stage(props)
    canonical_index, canonical_blocks = two_stage(canonical)

    parts = []
    parts.append(f"""// Generated by tools/gen_unicode_data.py from the Unicode Character Database {version}.
// Do not edit by hand: run the generator (see docs/design.md) and commit the result.
#pragma once

#include <cstdint>

namespace ditto::inline {abi}::unicode::data {{

inline constexpr int version_major = {major};
inline constexpr int version_minor = {minor};
inline constexpr int version_update = {update};

// Two-stage property table: property_blocks[property_index[cp / {BLOCK}] * {BLOCK} + cp % {BLOCK}].
inline constexpr unsigned block_size = {BLOCK};
inline constexpr std::uint16_t property_index[{len(index)}] = {{
{format_array(index, 16, 4)}
}};
inline constexpr std::uint8_t property_blocks[{len(blocks) * BLOCK}] = {{
{format_array([v for b in blocks for v in b], 16, 2)}
}};

// Canonical equivalence: canonical_blocks[canonical_index[cp / {BLOCK}] * {BLOCK} + cp % {BLOCK}] holds
// the canonical combining class (bits 0-7), NFC-sensitive (bit 8), NFKC-sensitive (bit 9), and
// whether an NFC (bit 10) or NFKC (bit 11) segment may start before the code point.
inline constexpr std::uint16_t canonical_index[{len(canonical_index)}] = {{
{format_array(canonical_index, 16, 4)}
}};
inline constexpr std::uint16_t canonical_blocks[{len(canonical_blocks) * BLOCK}] = {{
{format_array([v for b in canonical_blocks for v in b], 16, 4)}
}};
// The smallest code points with bit 8 and with bit 9: every code point below is left alone.
inline constexpr char32_t nfc_first_sensitive = 0x{first_sensitive["nfc"]:X};
inline constexpr char32_t nfkc_first_sensitive = 0x{first_sensitive["nfkc"]:X};

// Primary composites: (first, second) composes to composite; sorted by (first, second).
struct composition {{
    char32_t first;
    char32_t second;
    char32_t composite;
}};
inline constexpr composition compositions[{len(pairs)}] = {{
{chr(10).join(f"    {{0x{a:X}, 0x{b:X}, 0x{c:X}}}," for a, b, c in pairs)}
}};

// A mapping entry: the code point, and its replacement as [offset, offset + length) in the pool.
struct mapping {{
    char32_t code_point;
    std::uint16_t offset;
    std::uint16_t length;
}};
""")
    for name, table in tables:
        pool, entries = [], []
        for cp in sorted(table):
            target = table[cp]
            entries.append(f"    {{0x{cp:X}, {len(pool)}, {len(target)}}},")
            pool.extend(target)
        assert len(pool) < 65536
        longest = max(len(t) for t in table.values())
        parts.append(f"""// The longest replacement in {name}_map, in code points.
inline constexpr unsigned {name}_max_length = {longest};
inline constexpr char32_t {name}_pool[{len(pool)}] = {{
{format_array(pool, 12, 4)}
}};
inline constexpr mapping {name}_map[{len(entries)}] = {{
{chr(10).join(entries)}
}};
""")
    parts.append("}  // namespace ditto::unicode::data\n")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(parts))
    sizes = {name: len(table) for name, table in tables}
    print(f"wrote {out}: Unicode {version}, {len(blocks)} blocks of {BLOCK}, {sizes}")


if __name__ == "__main__":
    main()
