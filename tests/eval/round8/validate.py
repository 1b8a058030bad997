#!/usr/bin/env python3
"""Validate blind round 8 (dialogues.jsonl, two_questions.jsonl) against ../../shared/seeds/.

stdlib only. Checks: schema, unique ids, counts per kind, source lines exist and are non-empty,
every amount / phone number in a scored expectation stands on one of the item's source lines or is
recomputed here (CALC: unit prices read from the listed lines x factors, summed with Decimal), and
appears in the note; every amount in must_not_contain is in the note, and stands on a source line or is
recomputed (NOT_CALC / CALC). Prints ALL OK or the list of problems.
"""
import json
import os
import re
import sys
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
SEED_DIR = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "seeds"))
F0 = "000_88859510c15c3961.txt"
F3 = "003_ca89e0cbbb223601.txt"
TAG = {"000": F0, "003": F3}

DIALOGUE_MIN = {"clarify_reply": 10, "followup_attribute": 8, "followup_person": 8, "followup_quantity": 8,
                "correction": 8, "followup_faq": 8, "new_subject": 6, "persons_list": 10}
DIALOGUE_TOTAL_MIN = 66
MULTI_KINDS = {"two_questions", "three_questions", "four_questions", "partly_unanswerable"}
MULTI_TOTAL_MIN = 34
MULTI_KIND_MIN = {"four_questions": 4, "partly_unanswerable": 4}
EXPECTS = {"answer", "clarify", "unknown"}

# Recomputed totals: key "<id>#<turn>" (1-based turn) for dialogues, "<id>" for single messages.
# Each entry: (expected string, [(seed tag, line, index of the amount on that line, factor)]).
# factor is a decimal string or "a/b".
CALC = {
    "r8-followup_person-06#2": [("10,00", [("003", 251, 0, "0.5")])],        # L254 children under 14: half price
    "r8-followup_person-07#2": [("348,75", [("003", 532, 0, "0.75")])],      # L548 søskenderabat -25 %
    "r8-followup_quantity-01#2": [("228,00", [("003", 820, 0, "3")])],
    "r8-followup_quantity-02#2": [("1.605,00", [("003", 275, 0, "6/4")])],   # 6 started quarters (L278)
    "r8-followup_quantity-03#2": [("1.337,50", [("003", 300, 0, "5/4")])],   # 5 started quarters (L302)
    "r8-followup_quantity-04#2": [("40,00", [("003", 1070, 0, "4")])],
    "r8-followup_quantity-05#2": [("483,00", [("003", 737, 0, "7")])],
    "r8-followup_quantity-07#2": [("900,00", [("003", 1071, 0, "3")])],
    "r8-followup_quantity-08#2": [("2.436,00", [("003", 997, 0, "14")])],
    "r8-followup_quantity-09#2": [("20.740,00", [("003", 566, 0, "2")])],
    "r8-followup_quantity-10#2": [("35,00", [("003", 259, 0, "35")])],
    "r8-followup_quantity-11#2": [("486,00", [("003", 368, 0, "3")])],
    "r8-followup_quantity-12#2": [("544,00", [("003", 1162, 0, "850")])],
    "r8-correction-08#1": [("174,00", [("003", 831, 0, "2")])],
    "r8-correction-08#2": [("261,00", [("003", 831, 0, "3")])],
    "r8-followup_faq-06#3": [("950,00", [("000", 82, 0, "1"), ("000", 82, 1, "1"), ("000", 82, 2, "1")])],
    "r8-persons_list-01#1": [("264,00", [("003", 831, 0, "2"), ("003", 834, 0, "2")])],
    "r8-persons_list-01#2": [("319,00", [("003", 831, 0, "2"), ("003", 834, 0, "2"), ("003", 833, 0, "1")])],
    "r8-persons_list-02#1": [("138,00", [("003", 800, 0, "2"), ("003", 801, 0, "1")])],
    "r8-persons_list-02#2": [("88,00", [("003", 800, 0, "1"), ("003", 801, 0, "1")])],
    "r8-persons_list-03#1": [("2.267,00", [("003", 756, 0, "2"), ("003", 754, 0, "2"), ("003", 755, 0, "1")])],
    "r8-persons_list-03#2": [("2.648,00", [("003", 756, 0, "2"), ("003", 754, 0, "2"), ("003", 755, 0, "1"),
                                           ("003", 757, 0, "1")])],
    "r8-persons_list-04#1": [("266,00", [("003", 820, 0, "2"), ("003", 823, 0, "3")])],
    "r8-persons_list-04#2": [("390,00", [("003", 820, 0, "3"), ("003", 823, 0, "3"), ("003", 822, 0, "1")])],
    "r8-persons_list-05#1": [("140,00", [("003", 908, 0, "2")])],
    "r8-persons_list-05#2": [("210,00", [("003", 908, 0, "2"), ("003", 907, 0, "1")])],
    "r8-persons_list-06#1": [("1.370,00", [("003", 849, 0, "2"), ("003", 852, 0, "1")])],
    "r8-persons_list-06#2": [("820,00", [("003", 849, 0, "1"), ("003", 852, 0, "1")])],
    "r8-persons_list-07#1": [("369,00", [("003", 329, 0, "3")])],
    "r8-persons_list-07#2": [("492,00", [("003", 329, 0, "4")])],
    "r8-persons_list-08#1": [("238,00", [("003", 820, 0, "2"), ("003", 822, 0, "1"), ("003", 823, 0, "1")])],
    "r8-persons_list-08#2": [("162,00", [("003", 820, 0, "1"), ("003", 822, 0, "1"), ("003", 823, 0, "1")])],
    "r8-persons_list-09#1": [("7.020,00", [("003", 887, 0, "1"), ("003", 890, 0, "1"), ("003", 888, 0, "1")])],
    "r8-persons_list-09#2": [("9.120,00", [("003", 887, 0, "1"), ("003", 890, 0, "1"), ("003", 888, 0, "1"),
                                           ("003", 889, 0, "1")])],
    "r8-persons_list-10#1": [("126,00", [("003", 802, 0, "2"), ("003", 800, 0, "1")])],
    "r8-persons_list-10#2": [("202,00", [("003", 802, 0, "2"), ("003", 800, 0, "1"), ("003", 801, 0, "2")])],
    "r8-persons_list-11#1": [("222,00", [("003", 831, 0, "1"), ("003", 834, 0, "3")])],
    "r8-persons_list-11#2": [("277,00", [("003", 831, 0, "1"), ("003", 834, 0, "3"), ("003", 832, 0, "1")])],
    "r8-persons_list-11#3": [("309,00", [("003", 831, 0, "2"), ("003", 834, 0, "3")])],
    "r8-multi-15": [("1.500,00", [("003", 559, 0, "3")])],
    "r8-multi-18": [("2.538,00", [("003", 1097, 0, "1"), ("003", 1098, 0, "1")])],
    "r8-multi-23": [("19.185,00", [("003", 722, 0, "1"), ("003", 724, 0, "1")])],
    "r8-multi-25": [("1.686,00", [("003", 987, 0, "12"), ("003", 991, 0, "12")])],
    "r8-multi-35": [("768,00", [("003", 1162, 0, "1200")])],
    "r8-multi-36": [("100,00", [("003", 251, 0, "1"), ("003", 252, 0, "1")])],   # cumulative reading
}

# Recomputed WRONG totals used in must_not_contain (the tempting mistake).
NOT_CALC = {
    "r8-clarify_reply-10#2": [("3.600,00", [("003", 1071, 0, "12")])],
    "r8-correction-02#2": [("2.800,00", [("003", 66, 0, "1"), ("003", 67, 0, "1")])],
    "r8-correction-08#2": [("435,00", [("003", 831, 0, "5")])],
    "r8-followup_quantity-02#2": [("2.140,00", [("003", 275, 0, "2")])],
    "r8-followup_quantity-03#2": [("1.248,33", [("003", 300, 0, "70/60")]),
                                  ("2.140,00", [("003", 300, 0, "2")])],
    "r8-persons_list-05#2": [("242,00", [("003", 908, 0, "2"), ("003", 906, 0, "1")])],
    "r8-persons_list-11#3": [("364,00", [("003", 831, 0, "2"), ("003", 834, 0, "3"), ("003", 832, 0, "1")])],
}

NUM_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:\.\d{3})*,\d+(?![\d])")
PHONE_RE = re.compile(r"(?<!\d)\d{4} \d{4}(?!\d)")
DK_FMT_RE = re.compile(r"^\d{1,3}(?:\.\d{3})*,\d{2}$")

problems = []


def bad(msg):
    problems.append(msg)


def load_seed(name):
    with open(os.path.join(SEED_DIR, name), encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")          # numbering as `cat -n` prints it
    if lines and lines[-1] == "":
        lines.pop()
    return [l.rstrip("\r") for l in lines]


SEEDS = {F0: load_seed(F0), F3: load_seed(F3)}


def dk_to_dec(s):
    return Decimal(s.replace(".", "").replace(",", "."))


def dec_to_dk(d):
    d = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    neg = d < 0
    whole, frac = ("%.2f" % abs(d)).split(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return ("-" if neg else "") + ".".join(groups) + "," + frac


def factor(s):
    if "/" in s:
        a, b = s.split("/")
        return Decimal(a) / Decimal(b)
    return Decimal(s)


def line_amounts(fname, n):
    return NUM_RE.findall(SEEDS[fname][n - 1])


def parse_source(src, where):
    """return set of (file, line) or None"""
    out = set()
    if not isinstance(src, str) or not src.strip():
        bad("%s: empty source" % where)
        return out
    for part in src.split(";"):
        part = part.strip()
        if ":" not in part:
            bad("%s: source part without ':' %r" % (where, part))
            continue
        fname, spec = part.split(":", 1)
        fname = fname.strip()
        if fname not in SEEDS:
            bad("%s: unknown seed file %r" % (where, fname))
            continue
        for piece in spec.split(","):
            piece = piece.strip()
            m = re.fullmatch(r"(\d+)(?:-(\d+))?", piece)
            if not m:
                bad("%s: bad line spec %r" % (where, piece))
                continue
            a = int(m.group(1))
            b = int(m.group(2) or a)
            if b < a:
                bad("%s: bad range %r" % (where, piece))
                continue
            for n in range(a, b + 1):
                if n < 1 or n > len(SEEDS[fname]):
                    bad("%s: %s line %d does not exist" % (where, fname, n))
                elif not SEEDS[fname][n - 1].strip():
                    bad("%s: %s line %d is empty" % (where, fname, n))
                else:
                    out.add((fname, n))
    return out


def compute(terms, lines, where):
    total = Decimal(0)
    for tag, n, idx, fac in terms:
        fname = TAG[tag]
        if (fname, n) not in lines:
            bad("%s: calc line %s:%d not in source" % (where, tag, n))
        if n < 1 or n > len(SEEDS[fname]):
            bad("%s: calc line %s:%d does not exist" % (where, tag, n))
            return None
        am = line_amounts(fname, n)
        if idx >= len(am):
            bad("%s: calc line %s:%d has no amount #%d (%r)" % (where, tag, n, idx, am))
            return None
        total += dk_to_dec(am[idx]) * factor(fac)
    return total


def source_values(lines):
    vals = set()
    for fname, n in lines:
        for a in line_amounts(fname, n):
            vals.add(dk_to_dec(a))
    return vals


def source_phones(lines):
    ph = set()
    for fname, n in lines:
        ph.update(PHONE_RE.findall(SEEDS[fname][n - 1]))
    return ph


def check_expectations(exp, key, where, lines, note, must_have_fact=True):
    """exp: dict with expect/must_contain/must_contain_any/must_not_contain"""
    if exp.get("expect") not in EXPECTS:
        bad("%s: bad expect %r" % (where, exp.get("expect")))
    mc = exp.get("must_contain")
    mca = exp.get("must_contain_any")
    mnc = exp.get("must_not_contain")
    if not (isinstance(mc, list) and all(isinstance(x, str) and x.strip() for x in mc)):
        bad("%s: must_contain must be a list of non-empty strings" % where)
        mc = []
    if not (isinstance(mca, list) and all(isinstance(g, list) and g and all(isinstance(x, str) and x.strip() for x in g)
                                          for g in mca)):
        bad("%s: must_contain_any must be a list of non-empty string lists" % where)
        mca = []
    if not (isinstance(mnc, list) and all(isinstance(x, str) and x.strip() for x in mnc)):
        bad("%s: must_not_contain must be a list of non-empty strings" % where)
        mnc = []
    if must_have_fact and exp.get("expect") == "answer" and not mc and not mca:
        bad("%s: scored answer turn without any expected fact" % where)

    vals = source_values(lines)
    phones = source_phones(lines)
    calc = {}
    for exp_str, terms in CALC.get(key, []):
        got = compute(terms, lines, where)
        if got is None:
            continue
        if dec_to_dk(got) != exp_str:
            bad("%s: CALC %s recomputes to %s" % (where, exp_str, dec_to_dk(got)))
        calc[exp_str] = got
        if exp_str not in mc and not any(exp_str in g for g in mca):
            bad("%s: CALC total %s is not in the expectations" % (where, exp_str))
    wrong = {}
    for exp_str, terms in NOT_CALC.get(key, []):
        got = compute(terms, lines, where)
        if got is None:
            continue
        if dec_to_dk(got) != exp_str:
            bad("%s: NOT_CALC %s recomputes to %s" % (where, exp_str, dec_to_dk(got)))
        wrong[exp_str] = got
        if exp_str not in mnc:
            bad("%s: NOT_CALC %s is not in must_not_contain" % (where, exp_str))

    pos_strings = list(mc) + [x for g in mca for x in g]
    pos_vals = set()
    for s in pos_strings:
        for a in NUM_RE.findall(s):
            v = dk_to_dec(a)
            pos_vals.add(v)
            if a in calc:
                if not DK_FMT_RE.match(a):
                    bad("%s: computed amount %s not in Danish format" % (where, a))
            elif v not in vals:
                bad("%s: amount %s neither on a source line nor recomputed" % (where, a))
            if a not in note:
                bad("%s: amount %s not in note" % (where, a))
        for p in PHONE_RE.findall(s):
            if p not in phones:
                bad("%s: phone %s not on a source line" % (where, p))
            if p not in note:
                bad("%s: phone %s not in note" % (where, p))
    item_calc_vals = set()
    for k, entries in CALC.items():
        if k.split("#")[0] == key.split("#")[0]:
            for exp_str, _ in entries:
                item_calc_vals.add(dk_to_dec(exp_str))
    for s in mnc:
        for a in NUM_RE.findall(s):
            v = dk_to_dec(a)
            if a not in note:
                bad("%s: must_not amount %s not in note" % (where, a))
            if v in pos_vals:
                bad("%s: must_not amount %s is also expected" % (where, a))
            if a not in wrong and v not in vals and v not in item_calc_vals:
                bad("%s: must_not amount %s neither on a source line nor recomputed" % (where, a))
        for p in PHONE_RE.findall(s):
            if not any(p in l for l in SEEDS[F0]):
                bad("%s: must_not phone %s is not a phone number of the FAQ page" % (where, p))
            if any(p in x for x in pos_strings):
                bad("%s: must_not phone %s is also expected" % (where, p))


def read_jsonl(name):
    path = os.path.join(HERE, name)
    items = []
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    if "\\u00" in raw:
        bad("%s: written with ensure_ascii=True (\\u escapes found)" % name)
    for i, line in enumerate(raw.split("\n"), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except ValueError as e:
            bad("%s line %d: invalid JSON (%s)" % (name, i, e))
    return items


def norm(s):
    return re.sub(r"\s+", " ", s.strip().lower())


def main():
    dialogues = read_jsonl("dialogues.jsonl")
    singles = read_jsonl("two_questions.jsonl")
    ids = set()
    texts = {}
    counts = {}
    used_keys = set()

    def seen_text(t, where):
        k = norm(t)
        if k in texts:
            bad("%s: user text duplicates %s: %r" % (where, texts[k], t))
        texts[k] = where

    for d in dialogues:
        did = d.get("id", "?")
        where = did
        if set(d) != {"id", "category", "turns", "source", "note"}:
            bad("%s: keys %s" % (where, sorted(d)))
        cat = d.get("category")
        if cat not in DIALOGUE_MIN:
            bad("%s: unknown category %r" % (where, cat))
        if not re.fullmatch(r"r8-%s-\d{2}" % re.escape(str(cat)), str(did)):
            bad("%s: id does not match r8-<kind>-NN" % where)
        if did in ids:
            bad("%s: duplicate id" % where)
        ids.add(did)
        counts[cat] = counts.get(cat, 0) + 1
        note = d.get("note", "")
        if not isinstance(note, str) or not note.strip():
            bad("%s: empty note" % where)
            note = ""
        lines = parse_source(d.get("source"), where)
        turns = d.get("turns")
        if not isinstance(turns, list) or not 2 <= len(turns) <= 4:
            bad("%s: needs 2-4 turns" % where)
            continue
        for ti, t in enumerate(turns, 1):
            tw = "%s turn %d" % (where, ti)
            if not isinstance(t, dict) or not isinstance(t.get("user"), str) or not t["user"].strip():
                bad("%s: bad turn" % tw)
                continue
            seen_text(t["user"], tw)
            if "T%d" % ti not in note:
                bad("%s: note does not say what turn %d sets" % (where, ti))
            last = ti == len(turns)
            if not isinstance(t.get("score"), bool):
                bad("%s: 'score' must be a bool" % tw)
            if last and t.get("score") is not True:
                bad("%s: last turn must be scored" % tw)
            if t.get("score"):
                if set(t) != {"user", "score", "expect", "must_contain", "must_contain_any", "must_not_contain"}:
                    bad("%s: scored turn keys %s" % (tw, sorted(t)))
                key = "%s#%d" % (did, ti)
                used_keys.add(key)
                check_expectations(t, key, tw, lines, note)
            else:
                if set(t) != {"user", "score"}:
                    bad("%s: unscored turn keys %s" % (tw, sorted(t)))

    mcounts = {}
    for m in singles:
        mid = m.get("id", "?")
        where = mid
        if set(m) != {"id", "category", "kind", "message", "expect", "must_contain", "must_contain_any",
                      "must_not_contain", "source", "note"}:
            bad("%s: keys %s" % (where, sorted(m)))
        if m.get("category") != "multi":
            bad("%s: category must be multi" % where)
        if not re.fullmatch(r"r8-multi-\d{2}", str(mid)):
            bad("%s: id does not match r8-multi-NN" % where)
        if mid in ids:
            bad("%s: duplicate id" % where)
        ids.add(mid)
        kind = m.get("kind")
        if kind not in MULTI_KINDS:
            bad("%s: unknown kind %r" % (where, kind))
        mcounts[kind] = mcounts.get(kind, 0) + 1
        if m.get("expect") != "answer":
            bad("%s: expect must be answer" % where)
        if not isinstance(m.get("message"), str) or not m["message"].strip():
            bad("%s: empty message" % where)
        else:
            seen_text(m["message"], where)
        note = m.get("note", "")
        if not isinstance(note, str) or not note.strip():
            bad("%s: empty note" % where)
            note = ""
        lines = parse_source(m.get("source"), where)
        used_keys.add(mid)
        check_expectations(m, mid, where, lines, note)
        nfacts = len(m.get("must_contain", [])) + len(m.get("must_contain_any", []))
        if kind == "four_questions" and nfacts != 3:
            bad("%s: four-question item must score exactly three facts (has %d)" % (where, nfacts))
        if kind in ("two_questions", "three_questions"):
            need = 2 if kind == "two_questions" else 3
            if nfacts < need:
                bad("%s: %s item scores only %d facts" % (where, kind, nfacts))
        if kind == "partly_unanswerable" and "unanswerable" not in note:
            bad("%s: note must name the unanswerable part" % where)
        for q in ("Q1", "Q2"):
            if q not in note:
                bad("%s: note lacks %s" % (where, q))

    for k in list(CALC) + list(NOT_CALC):
        if k not in used_keys:
            bad("CALC/NOT_CALC key %s matches no scored turn / item" % k)

    for kind, n in DIALOGUE_MIN.items():
        if counts.get(kind, 0) < n:
            bad("kind %s: %d dialogues, need %d" % (kind, counts.get(kind, 0), n))
    if len(dialogues) < DIALOGUE_TOTAL_MIN:
        bad("only %d dialogues, need %d" % (len(dialogues), DIALOGUE_TOTAL_MIN))
    if len(singles) < MULTI_TOTAL_MIN:
        bad("only %d multi messages, need %d" % (len(singles), MULTI_TOTAL_MIN))
    for kind, n in MULTI_KIND_MIN.items():
        if mcounts.get(kind, 0) < n:
            bad("multi kind %s: %d, need %d" % (kind, mcounts.get(kind, 0), n))

    print("dialogues: %d  %s" % (len(dialogues), ", ".join("%s=%d" % (k, counts.get(k, 0)) for k in DIALOGUE_MIN)))
    print("multi: %d  %s" % (len(singles), ", ".join("%s=%d" % (k, mcounts.get(k, 0)) for k in sorted(MULTI_KINDS))))
    if problems:
        for p in problems:
            print("PROBLEM:", p)
        print("%d PROBLEM(S)" % len(problems))
        return 1
    print("ALL OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
