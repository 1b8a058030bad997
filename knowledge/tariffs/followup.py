"""Follow-ups to a price that was already answered: the conversation's memory of the subject.

After "hvad koster en voksenbillet i Køge Svømmeland om lørdagen?" the answer keeps its
question (the rows and the attributes used). The next message is read against it:

* another attribute or a changed one: "og om tirsdagen?", "hvad så om vinteren?", "240 liter";
* another quantity: "og hvad med tre billetter?", "og hvis det tager halvanden time?";
* another person: "nej, det er til min far", "hun er 17 men studerende", "hvad med min søn på 9"
  (the earlier person's age and category are dropped, not merged);
* a person added to or removed from a group: "og min mor også", "uden min bror";
* a correction: "nej", "nej vent", "jeg mente …", "undskyld, …" — the new value replaces the old.

A message that names another subject by itself ("hvad koster et pas?") is a new question, and so
is one that adds nothing the price list can use. Pure functions on :class:`PriceQuery`; the
answer module runs the search.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Optional, Tuple

from knowledge.tariffs.persons import Person, add, is_child, parse_persons, person_of, remove
from knowledge.tariffs.query import PriceQuery, merge_queries, parse_query
from knowledge.tariffs.query_numbers import canonical_numbers
from knowledge.text import fold

CORRECTION_RE = re.compile(r"^\W*(?:nej|neej|nix|naa|nej vent|vent|undskyld|sorry|rettelse|ups)\b"
                           r"|\bjeg mente\b|\bikke\s\w+\s+men\b|\bmente\b")
ADD_RE = re.compile(r"\bogsaa\b|\bplus\b|\bmed\s(?:min|mit|mine|vores)\b|^\W*og\s(?:min|mit|mine|vores|\d)")
_PERSON_FIELDS = dict(age=None, age_max=None, category=None, minor=False, people=())


def is_correction(text: str) -> bool:
    return bool(CORRECTION_RE.search(fold(text or "")))


def follow_up_query(base: PriceQuery, text: str) -> Optional[Tuple[PriceQuery, bool]]:
    """The earlier question changed by ``text``, and whether its words may narrow the search
    (False: search with the earlier words only). None when ``text`` is not a follow-up."""
    folded = canonical_numbers(fold(text or ""))
    follow = parse_query(text or "")
    if base.people:
        group = _group_follow_up(base, follow, folded)
        if group is not None:
            return group, False
    person: Optional[Person] = None if follow.people else person_of(folded)
    if follow.people:
        query = replace(base, **_PERSON_FIELDS)
        return replace(merge_queries(query, replace(follow, words=())), people=follow.people), False
    names_someone = person is not None or follow.age is not None or follow.category is not None \
        or follow.minor
    if not (follow.attributes() or names_someone or follow.numbers):
        return None
    query = base
    if names_someone:
        query = replace(base, **_PERSON_FIELDS)
        if person is not None:
            query = replace(query, category=person[0], age=person[1],
                            minor=person[1] is None and person[0] is None and is_child(folded))
    return merge_queries(query, follow), True


def _group_follow_up(base: PriceQuery, follow: PriceQuery, folded: str) -> Optional[PriceQuery]:
    """A group priced person by person, changed by one person: removed ("uden min bror"),
    aged ("nej, far er 67"), or added ("og min søster på 12", "2 voksne mere"). Whoever a
    follow-up to a group names joins the group, unless it names someone already in it."""
    removed = remove(base.people, folded)
    if removed is not None:
        if len(removed) == 1 and removed[0][2] == 1:
            one = removed[0]
            return replace(base, people=(), category=one[0], age=one[1], count=None)
        return replace(base, people=removed)
    named = follow.people or parse_persons(f"mig og {folded}")[1:]
    if not named:
        return None
    people = list(base.people)
    added = []
    for person in named:
        who = _who(person)
        same = [i for i, p in enumerate(people) if who and _who(p) == who]
        if same and person[1] is not None and (is_correction(folded) or not ADD_RE.search(folded)):
            i = same[0]
            label = f"{people[i][3].split(' (')[0]} ({person[1]} år)"
            people[i] = (None, person[1], people[i][2], label)  # "nej, barnet er 12"
        elif not same or ADD_RE.search(folded):
            added.append(person)
    return replace(base, people=tuple(people) + tuple(added))


def _who(person: Person) -> str:
    """Who a person is, whatever the form: "din søn", "sønnen" and "søn" are one key, and so
    are "barn", "barnet" and "børnene"."""
    label = fold((person[3] if len(person) > 3 else "").split(" (")[0])
    word = label.split()[-1] if label.split() else ""
    word = {"boern": "barn", "boernene": "barn", "ungerne": "barn", "unger": "barn"}.get(word, word)
    for ending in ("erne", "ene", "en", "et", "ne"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[:-len(ending)]
    return word
