#!/usr/bin/env python3
"""Self-check for /work/blind/r4/round4.jsonl (stdlib only).

Checks: every line parses; ids unique and well-formed; required keys present and typed;
category minima; cited seed lines exist; each must_contain string occurs in the cited lines
(lower-cased, whitespace collapsed, dots/spaces between digits dropped) or in the note;
each must_contain_any group has at least one string found there (other alternatives must be
found or named in the note); unknown items carry a phone number; real_faq items carry a page;
no must_not_contain string is contained in a required string.
"""
import json, os, re, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, 'round4.jsonl')
SEEDS = '/work/shared/seeds'
MINIMA = {'faq': 40, 'issuer': 25, 'tariff': 45, 'note': 20, 'contact': 15,
          'out_of_scope': 20, 'unknown': 20, 'smalltalk': 10, 'real_faq': 35}
REQ = ['id', 'category', 'message', 'expect', 'must_contain', 'must_contain_any',
       'must_not_contain', 'source', 'note']
PHONE = re.compile(r'\d{2} ?\d{2} ?\d{2} ?\d{2}')

def norm(s):
    s = re.sub(r'\s+', ' ', s.lower())
    return re.sub(r'(?<=\d)[.\s](?=\d)', '', s)

seed_lines = {}
for fn in os.listdir(SEEDS):
    if fn.endswith('.txt'):
        with open(os.path.join(SEEDS, fn), encoding='utf-8') as f:
            seed_lines[fn] = f.read().split('\n')

def cited_text(source, errs):
    out = []
    for part in [p.strip() for p in source.split(';') if p.strip()]:
        if ':' not in part:
            errs.append(f'bad source part {part!r}'); continue
        fn, spec = part.rsplit(':', 1)
        if fn not in seed_lines:
            errs.append(f'unknown seed file {fn!r}'); continue
        lines = seed_lines[fn]
        m1 = re.fullmatch(r'(\d+)', spec)
        m2 = re.fullmatch(r'(\d+)-(\d+)', spec)
        m3 = re.fullmatch(r'(\d+),(\d+)', spec)
        if m1:
            nums = [int(m1.group(1))]
        elif m2:
            lo, hi = int(m2.group(1)), int(m2.group(2))
            if lo > hi: errs.append(f'reversed range {part}')
            nums = list(range(lo, hi + 1))
        elif m3:
            nums = [int(m3.group(1)), int(m3.group(2))]
        else:
            errs.append(f'bad line spec {part!r}'); continue
        for n in nums:
            if not 1 <= n <= len(lines):
                errs.append(f'line {n} does not exist in {fn}')
            else:
                out.append(lines[n - 1])
    return '\n'.join(out)

def main():
    errors, warnings = [], []
    items, ids = [], collections.Counter()
    with open(DATA, encoding='utf-8') as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                items.append((i, json.loads(line)))
            except Exception as e:
                errors.append(f'line {i}: JSON error {e}')
    counts = collections.Counter()
    first_words = collections.Counter()
    for ln, d in items:
        e = []
        for k in REQ:
            if k not in d: e.append(f'missing key {k}')
        if e:
            errors += [f"{d.get('id', ln)}: {x}" for x in e]; continue
        ids[d['id']] += 1
        cat = d['category']
        counts[cat] += 1
        if cat not in MINIMA: e.append(f'unknown category {cat}')
        if not re.fullmatch(rf'r4-{re.escape(cat)}-\d{{3}}', d['id']): e.append('id does not match r4-<category>-NNN')
        if d['expect'] not in ('answer', 'unknown'): e.append(f"bad expect {d['expect']}")
        if not isinstance(d['message'], str) or not d['message'].strip(): e.append('empty message')
        for k in ('must_contain', 'must_not_contain'):
            if not (isinstance(d[k], list) and all(isinstance(x, str) and x for x in d[k])): e.append(f'{k} not a list of strings')
        if not (isinstance(d['must_contain_any'], list) and all(isinstance(g, list) and g and all(isinstance(x, str) and x for x in g) for g in d['must_contain_any'])):
            e.append('must_contain_any not a list of non-empty lists of strings')
        if not d['source'] and cat != 'smalltalk': e.append('empty source outside smalltalk')
        text = norm(cited_text(d['source'], e)) if d['source'] else ''
        note = norm(d['note'])
        for s in d['must_contain']:
            if norm(s) not in text and norm(s) not in note:
                e.append(f'must_contain {s!r} not in cited lines or note')
        for g in d['must_contain_any']:
            found = [s for s in g if norm(s) in text]
            if not found and not any(norm(s) in note for s in g):
                e.append(f'no string of group {g} in cited lines or note')
            for s in g:
                if s not in found and norm(s) not in note:
                    warnings.append(f"{d['id']}: alternative {s!r} not in cited lines nor named in note")
        req = [norm(s) for s in d['must_contain']] + [norm(s) for g in d['must_contain_any'] for s in g]
        for s in d['must_not_contain']:
            if any(norm(s) in r for r in req): e.append(f'must_not_contain {s!r} is inside a required string')
        if d['expect'] == 'unknown':
            if not any(PHONE.search(s) for s in d['must_contain'] + [x for g in d['must_contain_any'] for x in g]):
                e.append('unknown item without a phone number in must_contain/_any')
        if cat == 'real_faq':
            if not str(d.get('page', '')).startswith('http'): e.append('real_faq without page URL')
        elif 'page' in d:
            warnings.append(f"{d['id']}: page on non-real_faq item")
        if cat != 'smalltalk' and not d['must_contain'] and not d['must_contain_any'] and not d['must_not_contain'] and cat != 'out_of_scope':
            warnings.append(f"{d['id']}: no expectations at all")
        first_words[d['message'].split()[0].lower().strip('<>*b/p')] += 1
        errors += [f"{d['id']}: {x}" for x in e]
    for k, v in ids.items():
        if v > 1: errors.append(f'duplicate id {k} ×{v}')
    msgs = collections.Counter(d['message'] for _, d in items)
    for k, v in msgs.items():
        if v > 1: errors.append(f'duplicate message {k!r}')
    for cat, mn in MINIMA.items():
        if counts[cat] < mn: errors.append(f'category {cat}: {counts[cat]} < {mn}')
    print('items:', len(items))
    for cat in MINIMA:
        print(f'  {cat:13s} {counts[cat]:4d} (min {MINIMA[cat]})')
    print('most common first words:', first_words.most_common(6))
    for w in warnings: print('WARN', w)
    for er in errors: print('ERROR', er)
    print('RESULT:', 'OK' if not errors else f'{len(errors)} error(s)', f'/ {len(warnings)} warning(s)')
    return 1 if errors else 0

if __name__ == '__main__':
    sys.exit(main())
