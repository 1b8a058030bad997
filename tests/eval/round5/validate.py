#!/usr/bin/env python3
"""Validate r5 blind items: JSON, ids, fields, sources, facts, calcs, counts."""
import json, re, sys, collections, os
HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = "/work/shared/seeds"
FILES = {f: open(os.path.join(SEEDS, f), encoding="utf-8").read().split("\n")
         for f in ("000_88859510c15c3961.txt", "003_ca89e0cbbb223601.txt")}
DCATS = {"clarify_reply", "followup_attribute", "followup_person", "followup_quantity",
         "correction", "followup_faq", "new_subject", "persons_list"}
EXPECTS = {"answer", "unknown", "handover", "clarify"}
errors, warnings = [], []

def norm(s):
    s = re.sub(r"\s+", " ", s.lower()).strip()
    return s, re.sub(r"(?<=\d)[ .](?=\d)", "", s)

def contains(hay, needle):
    h1, h2 = norm(hay); n1, n2 = norm(needle)
    return n1 in h1 or n2 in h2

ALL_SEED = "\n".join("\n".join(v) for v in FILES.values())

def num(s):  # Danish number -> float
    return float(s.replace(".", "").replace(",", "."))

def parse_source(src, where):
    lines = []
    for part in src.split(";"):
        part = part.strip()
        m = re.fullmatch(r"(\S+\.txt):([\d,\-]+)", part)
        if not m or m.group(1) not in FILES:
            errors.append(f"{where}: bad source part {part!r}"); continue
        f = FILES[m.group(1)]
        for spec in m.group(2).split(","):
            a, _, b = spec.partition("-")
            a = int(a); b = int(b) if b else a
            if not (1 <= a <= b <= len(f)):
                errors.append(f"{where}: line out of range {part}"); continue
            for i in range(a, b + 1):
                if not f[i - 1].strip() and a == b:
                    errors.append(f"{where}: cited empty line {m.group(1)}:{i}")
                lines.append(f[i - 1])
    return "\n".join(lines)

CALC = re.compile(r"\[calc: ([^\]=]+)=\s*([\d.,]+)\]")
def calcs(note, where):
    res = []
    for expr, result in CALC.findall(note):
        py = re.sub(r"\d[\d.]*(?:,\d+)?", lambda m: repr(num(m.group(0))), expr)
        py = py.replace("×", "*").replace("−", "-")
        val = eval(py)
        if abs(val - num(result)) > 0.005:
            errors.append(f"{where}: calc wrong: {expr}= {result} (is {val:.2f})")
        res.append(result.strip())
    return res

AMOUNT = re.compile(r"^\d{1,3}(?:\.\d{3})*,\d{2}$")
def check_strings(where, t, cited, note, calc_results):
    for key in ("must_contain", "must_contain_any", "must_not_contain"):
        if key not in t or not isinstance(t[key], list):
            errors.append(f"{where}: {key} missing/not list")
    for s in t.get("must_contain", []):
        if not contains(cited, s) and s not in calc_results:
            warnings.append(f"{where}: must_contain {s!r} not in cited lines")
    for g in t.get("must_contain_any", []):
        if not isinstance(g, list) or not g:
            errors.append(f"{where}: must_contain_any group not a non-empty list")
            continue
        if not any(contains(cited, s) or s in calc_results for s in g):
            warnings.append(f"{where}: no alternative of {g} in cited lines")
    for s in t.get("must_contain", []) + [x for g in t.get("must_contain_any", []) for x in g] \
             + t.get("must_not_contain", []):
        if AMOUNT.match(s) and not contains(ALL_SEED, s) and s not in calc_results \
           and s not in note:
            errors.append(f"{where}: amount {s!r} neither in seeds nor worked in note")
    if t.get("expect") not in EXPECTS:
        errors.append(f"{where}: bad expect {t.get('expect')!r}")
    if not t.get("must_contain") and not t.get("must_contain_any"):
        warnings.append(f"{where}: scored turn with no positive expectation")

ids = set()
counts = collections.Counter()
def load(name):
    out = []
    for n, line in enumerate(open(os.path.join(HERE, name), encoding="utf-8"), 1):
        try:
            o = json.loads(line)
        except Exception as e:
            errors.append(f"{name}:{n}: not JSON: {e}"); continue
        if o.get("id") in ids:
            errors.append(f"{name}:{n}: duplicate id {o.get('id')}")
        ids.add(o.get("id")); out.append(o)
    return out

for o in load("dialogues.jsonl"):
    w = o.get("id")
    for k in ("id", "category", "turns", "source", "note"):
        if k not in o: errors.append(f"{w}: missing {k}")
    c = o.get("category")
    if c not in DCATS: errors.append(f"{w}: bad category {c}")
    if not re.fullmatch(rf"r5-{re.escape(str(c))}-\d\d", w or ""):
        errors.append(f"{w}: id does not match r5-<category>-NN")
    turns = o.get("turns", [])
    if not 2 <= len(turns) <= 5: errors.append(f"{w}: {len(turns)} turns")
    cited = parse_source(o.get("source", ""), w)
    cr = calcs(o.get("note", ""), w)
    for i, t in enumerate(turns):
        if not t.get("user"): errors.append(f"{w} turn {i+1}: no user text")
        last = i == len(turns) - 1
        if last and t.get("score") is False: errors.append(f"{w}: last turn unscored")
        if last or t.get("score") is True:
            check_strings(f"{w} turn {i+1}", t, cited, o.get("note", ""), cr)
        elif t.get("score") is not False:
            errors.append(f"{w} turn {i+1}: earlier turn without score flag")
    counts[c] += 1

mcount = 0
for o in load("two_questions.jsonl"):
    w = o.get("id")
    for k in ("id", "category", "message", "expect", "must_contain", "must_contain_any",
              "must_not_contain", "source", "note"):
        if k not in o: errors.append(f"{w}: missing {k}")
    if o.get("category") != "multi": errors.append(f"{w}: category not multi")
    if not re.fullmatch(r"r5-multi-\d\d", w or ""): errors.append(f"{w}: bad id")
    cited = parse_source(o.get("source", ""), w)
    check_strings(w, o, cited, o.get("note", ""), calcs(o.get("note", ""), w))
    mcount += 1

print("dialogues per category:")
for c in sorted(DCATS): print(f"  {c:20s} {counts[c]}")
print(f"  {'total':20s} {sum(counts.values())}")
print(f"two_questions (multi): {mcount}")
print(f"\n{len(errors)} errors"); [print("  E", e) for e in errors]
print(f"{len(warnings)} warnings (check by hand)"); [print("  W", x) for x in warnings]
sys.exit(1 if errors else 0)
