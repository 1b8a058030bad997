"""Answer a Danish price question from the 2024 price list.

Contract used by ``actions/tariffs.py``::

    answer_price_question(text, context=None, reply=None) -> TariffAnswer

* ``status == "answer"``: one row (or rows with the same price) answers the question; the
  text gives label, price(s), basis, year, section, any calculation and the source line.
* ``status == "clarify"``: the price depends on something the user did not say; the text asks
  for it and the buttons offer the values. ``context`` keeps the question for the next turn.
* ``status == "choose"``: the search is unsure; "Mente du en af disse?" with the top rows.
* ``status == "not_found"``: nothing fits; points to Opkrævningen.

Button payloads are ``/ask_price{"tariff_reply":"<value>"}``; the value comes back as ``reply``
("row:L0623" picks a row, "age:12-17" / "card:month" pin an attribute, plain words such as
"weekend" are parsed like a typed follow-up).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from knowledge.money import format_decimal, format_kr
from knowledge.tariffs.calc import Calculation, amount_for, calculate, measure_fits, person_price
from knowledge.tariffs.catalogue import Catalogue, TariffRow
from knowledge.tariffs.choose import (
    ASK_ORDER, QUESTIONS, Choice, choose, fits, pin_value, profile, wanted,
)
from knowledge.lexicon import lemma
from knowledge.tariffs.followup import follow_up_query
from knowledge.tariffs.items import (
    BREAK_EVEN_RE, SINGLE_WORDS, Item, break_even, compare_queries, option_context, price_items,
)
from knowledge.tariffs.items import total as items_total
from knowledge.tariffs.persons import Person
from knowledge.tariffs.query import (
    DISCOUNT_ASKED_RE, PriceQuery, merge_queries, parse_query, query_from_dict, query_to_dict,
)
from knowledge.tariffs.search import (
    WEAK_WORDS, Hit, get_catalogue, get_index, head_is_asked, label_extra, label_terms, words_of,
)
from knowledge.tariffs.query_numbers import canonical_numbers
from knowledge.tariffs.query_patterns import STOPWORDS
from knowledge.text import fold, stem

__all__ = ["TariffAnswer", "answer_price_question", "continue_price_question", "catalogue", "render_row"]

LOGGER = logging.getLogger(__name__)
PHONE = "5667 2450"
SOURCE_TITLE = "Takster, skatter og afgifter 2024, Køge Kommune"
CONTEXT_VERSION = 1
MIN_COVERAGE = 0.45       # below this the best row explains too little of the question
SURE_COVERAGE = 0.6       # below this we offer choices instead of answering
POOL_MIN_COVERAGE = 0.3   # rows that explain less are not even filtered by attributes
POOL_COVERAGE_GAP = 0.45  # rows this close in coverage to the best are filtered by attributes
POOL_COVERAGE_GAP_WITH_ATTRIBUTES = 0.6  # ... wider when a stated attribute fits none
GROUP_COVERAGE_GAP = 0.06  # after filtering: rows this close in coverage are candidates ...
GROUP_SCORE_RATIO = 0.7   # ... with at least this share of the best score
SCORE_TIER_COVERAGE_GAP = 0.1  # the best-scored row joins them when this close in coverage
MAX_CANDIDATES = 80
MAX_BUTTONS = 3
WEAK_GROUP = 0.5          # a query word this weak (search.WEAK_WORDS) need not be in the label
PLAIN_CASE_MARGIN = 4.0   # idf mass by which the plain row's label must be the simplest
PLAIN_CASE_MAX_EXTRA = 3.0  # ... and the plain row may add at most this much itself
SUPPORTED_COVERAGE = 0.45  # enough when the question's own attributes picked the row
# A stated measure the row is priced by ("650 m2" for a price per m², "3 timer" for an hourly
# rate) explains part of the question as a word would: "rottegebyret … vi har købt en
# tillægsparcel på 130 m2 oveni" is about the rat-control fee, whatever the other words.
QUANTITY_FIT_BONUS = 0.25
_PRICED_KINDS = ("amount", "double", "promille", "percent")

UNIT_DA: Dict[str, str] = {
    "year": "pr. år", "half_year": "pr. halvår", "quarter": "pr. kvartal (3 måneder)",
    "month": "pr. måned", "week": "pr. uge", "day": "pr. døgn", "event_day":
    "pr. påbegyndt arrangementsdag", "visit": "pr. gang", "ticket": "pr. billet/kort",
    "piece": "pr. stk.", "hour": "pr. time", "started_hour": "pr. påbegyndt time",
    "started_15_min": "pr. påbegyndt kvarter", "started_30_min": "pr. påbegyndt halve time",
    "m2": "pr. m²", "m2_year": "pr. m² pr. år", "m2_day": "pr. m² pr. dag",
    "m2_season": "pr. m² pr. sæson", "m3": "pr. m³", "kwh": "pr. kWh", "rate": "pr. rate",
    "season": "pr. sæson", "case": "pr. sag", "once": "", "unknown": "", "percent": "",
    "promille": "", "meeting_or_day": "",
}
# Phrases in a label that already state the unit, so it is not repeated.
_UNIT_IN_LABEL: Dict[str, Tuple[str, ...]] = {
    "year": ("pr. aar", "aarligt", "aarskort"),
    "month": ("pr. maaned", "pr. md", "pr. mdr"),
    "day": ("pr. doegn", "pr. dag", "dagkort"),
    "week": ("pr. uge",),
    "hour": ("pr. time", "timeleje"),
    "rate": ("pr. rate",),
    "piece": ("pr. stk", "pr. kort", "pr. loeft"),
    "visit": ("pr. besoeg", "pr. gang", "pr. tur"),
    "half_year": ("6 mdr",),
    "season": ("saeson",),
    "m2_year": ("pr. m2",),
    "started_hour": ("paabegyndt time",),
    "started_30_min": ("paabegyndt halve time",),
    "case": ("pr. sag",),
    "m3": ("pr. m3",),
    "event_day": ("arrangementsdag",),
}
_TEXT_PRICES: Dict[str, str] = {
    "gratis": "Gratis",
    "udgaaet": "Udgået – ordningen findes ikke længere",
    "ikke aktuel pt.": "Ikke aktuel pt. – der opkræves ikke noget for tiden",
    "se aarslejen": "Se årslejen (prisen følger årslejen)",
}
_DIM_WHAT: Dict[str, str] = {
    "category": "hvem det er til", "age": "alderen", "day": "dagen", "card": "billettypen",
    "liters": "beholderens størrelse", "m3": "størrelsen", "emptyings": "antal tømninger",
    "household": "om det er til en person eller en familie", "season": "sæsonen",
    "party": "om du er fast lejer eller gæst", "tons": "bådens vægt",
    "boat_length": "bådens længde", "lesson_minutes": "undervisningens længde",
    "weekly_hours": "antal timer om ugen", "grade": "klassetrinnet", "half": "halvåret",
    "motion": "om det er med motion", "period": "perioden", "area": "bygningens størrelse",
    "mast": "om båden har mast", "property": "hvilken slags ejendom det er",
    "basis": "om det er en indkomst eller en ejendom", "sessions": "antal badetider",
    "open_days": "antal åbningsdage", "duration": "hvor lang tid sagsbehandlingen tager",
    "late_days": "hvor mange dage for sent materialerne blev afleveret",
}
_REPLY_RE = re.compile(r"^\s*([a-z_]+):(.+)$")


@dataclass(frozen=True)
class TariffAnswer:
    """A reply to a price question plus the state to keep for the next turn."""

    status: str                                   # answer | clarify | choose | not_found
    text: str                                     # Danish reply
    buttons: Tuple[Tuple[str, str], ...] = ()     # (title, payload)
    context: Optional[dict] = None                # JSON state for the next turn, or None
    row_ids: Tuple[str, ...] = ()
    # A total combined from several sure rows (items, options compared, persons): the question's
    # own numbers and words picked each row, so the router may trust it without the NLU.
    combined: bool = False


def catalogue() -> Catalogue:
    """The 2024 catalogue (shared with the search index)."""
    return get_catalogue()


# ------------------------------------------------------------------------- rendering
def payload(value: str) -> str:
    """A Rasa button payload that sends ``value`` back as the ``tariff_reply`` entity."""
    return "/ask_price" + json.dumps({"tariff_reply": value}, ensure_ascii=False, separators=(",", ":"))


def _unit_text(row: TariffRow) -> str:
    unit = UNIT_DA.get(row.unit, "")
    if row.unit == "ticket":
        card = profile(row).get("card")
        unit = "for kortet" if card in ("trips5", "trips10") else "pr. billet"
    label = fold(row.label)
    if any(phrase in label for phrase in _UNIT_IN_LABEL.get(row.unit, ())):
        return ""
    return unit


def price_text(row: TariffRow) -> str:
    """The price cell in words: "76,00 kr. pr. billet/kort", "Gratis", "5,300 promille"."""
    if row.kind == "amount":
        value = row.amounts[0].value
        unit = _unit_text(row)
        text = f"{format_kr(value)} {unit}".strip()
        return f"{text} (gratis)" if value == 0 else text
    if row.kind == "double":
        return " eller ".join(f"{format_kr(a.value)} {a.what}" for a in row.amounts)
    if row.kind == "percent":
        return f"{format_decimal(row.amounts[0].value, None)} %"
    if row.kind == "promille":
        return f"{format_decimal(row.amounts[0].value, None)} promille (‰)"
    if row.kind == "text":
        words = row.text_price or row.price_text or ""
        return _TEXT_PRICES.get(fold(words).strip(), words)
    return "der står ingen pris i prislisten"


def _title(row: TariffRow) -> str:
    """The row's label, with the sub-section when the label alone says little ("Voksen")."""
    if len(row.label) < 40 and row.subsection and row.subsection != row.section and \
            fold(row.subsection) not in fold(row.label):
        return f"{row.label} – {row.subsection.rstrip(' :')}"
    return row.label


def _distinct_titles(rows: Sequence[TariffRow]) -> List[str]:
    """Titles of rows shown together; rows whose titles are alike are told apart by their
    sub-section ("Depositum pr. arrangement: Kommercielle …" and "Leje pr. døgn …: Kommercielle …")."""
    titles = [_title(r) for r in rows]
    keys = [re.sub(r"\W", "", fold(t)) for t in titles]  # "Vordingborgvej/ Søllerupvej" = "…/Søllerupvej"
    ids = {k: {r.id for r, kk in zip(rows, keys) if kk == k} for k in keys}
    return [f"{r.subsection.rstrip(' :')}: {t}" if len(ids[k]) > 1 and r.subsection
            and fold(r.subsection) not in fold(t) else t for r, t, k in zip(rows, titles, keys)]


def _where(row: TariffRow) -> str:
    parts = [row.section]
    if len(row.headings) > 1 and row.headings[0] not in (row.section, row.subsection):
        parts.append(row.headings[0])
    return ", ".join(parts)


def _notes(row: TariffRow) -> List[str]:
    """Short explanatory notes worth repeating (long legal notes are left to the source)."""
    return [n.strip() for n in row.notes if 3 < len(n.strip()) <= 200 and n.strip() != "pr. gang"][:2]


def source_line(row: TariffRow) -> str:
    """ "Kilde: Takster, skatter og afgifter 2024, Køge Kommune – «section»"."""
    return f"Kilde: {SOURCE_TITLE} – {row.section}"


def render_row(row: TariffRow, calculation: Optional[Calculation] = None,
               query: Optional[PriceQuery] = None) -> str:
    """The Danish answer for one row."""
    lines = [_sentence(f"{_title(row)} ({_where(row)}, {row.year}): {price_text(row)}")]
    if row.kind == "double" and query is not None and query.per and calculation is None:
        chosen = "møde" if query.per == "meeting" else "dag"
        for amount in row.amounts:
            if chosen in amount.what:
                lines.append(_sentence(f"For {'et møde' if chosen == 'møde' else 'en hel dag'}: "
                                       f"{format_kr(amount.value)}"))
    if calculation is not None:
        lines.append(_sentence(f"Udregning: {calculation.working}"))
    lines.extend(_notes(row))
    lines.append(source_line(row))
    return "\n".join(lines)


def _sentence(text: str) -> str:
    """End a sentence with one full stop ("… 10,00 kr." stays as it is)."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _row_button(row: TariffRow, distinguish: bool = False) -> Tuple[str, str]:
    title = _title(row)
    if distinguish and row.subsection and fold(row.subsection) not in fold(title):
        title = f"{row.subsection[:30].rstrip()}: {title}"  # two rows with the same label
    if len(title) > 60:
        title = title[:57].rstrip() + "…"
    return f"{title} ({row.section})", payload(f"row:{row.id}")


# ------------------------------------------------------------------------- outcomes
def _not_found(extra: str = "") -> TariffAnswer:
    text = ("Jeg kunne desværre ikke finde en pris på det i prislisten for 2024. "
            f"{extra}Prøv at skrive det med andre ord, eller ring til Opkrævningen på "
            f"tlf. {PHONE}.")
    return TariffAnswer("not_found", text)


def _answer(rows: Sequence[TariffRow], query: PriceQuery) -> TariffAnswer:
    """Answer with the first row; other rows with the very same price are mentioned."""
    row = rows[0]
    text = render_row(row, calculate(row, query), query)
    others = [r for r in rows[1:] if r.label != row.label][:3]
    if others:
        names = "; ".join(r.label for r in others)
        text = text.replace("\nKilde:", f"\nSamme takst gælder for: {names}.\nKilde:", 1)
    return _remember(TariffAnswer("answer", text, (), None, tuple(r.id for r in rows)), query)


def _context(query: PriceQuery, rows: Sequence[TariffRow], pins: Dict[str, Any],
             ask: Optional[str]) -> dict:
    return {"v": CONTEXT_VERSION, "query": query_to_dict(query),
            "rows": [r.id for r in rows], "pins": dict(pins), "ask": ask}


def _choose_answer(rows: Sequence[TariffRow], query: PriceQuery, pins: Dict[str, Any],
                   intro: str = "Mente du en af disse?") -> TariffAnswer:
    top = list(rows)[:MAX_BUTTONS]
    titles = [_title(r) for r in top]
    buttons = tuple(_row_button(r, titles.count(_title(r)) > 1) for r in top)
    # Each alternative with its price, so a reader sees the difference without a click;
    # none is stated as "the" answer.
    lines = [intro] + [f"• {_choice_line(r, titles.count(_title(r)) > 1)}" for r in top]
    return TariffAnswer("choose", "\n".join(lines), buttons, _context(query, rows, pins, None),
                        tuple(r.id for r in top))


def _choice_line(row: TariffRow, distinguish: bool) -> str:
    """ "Gæstepladser alle bådstørrelser pr. måned (Køge Marina): 3.203,00 kr." """
    where = _where(row)
    if distinguish and row.subsection and fold(row.subsection) not in fold(_title(row)):
        where = f"{where}, {row.subsection}"
    return _sentence(f"{_title(row)} ({where}): {price_text(row)}")


def _clarify(choice: Choice, query: PriceQuery, pins: Dict[str, Any]) -> TariffAnswer:
    ask = choice.ask or ""
    if ask == "place":
        text = "Det findes flere steder i prislisten. Hvilket sted tænker du på?"
    else:
        subject = _subject(choice.rows)
        text = f"Prisen {subject}afhænger af {_DIM_WHAT.get(ask, 'det')}. {QUESTIONS.get(ask, '')}"
        then = _also_varies(choice, ask)
        if then is not None:  # two things missing: ask both at once, the reply may give both
            text = (f"Prisen {subject}afhænger af {_DIM_WHAT[ask]} og {_DIM_WHAT[then]}. "
                    f"{QUESTIONS[ask]} Og {QUESTIONS[then][0].lower()}{QUESTIONS[then][1:]}")
    buttons = tuple((title, payload(value)) for title, value in choice.options)
    return TariffAnswer("clarify", text.strip(), buttons,
                        _context(query, choice.rows, pins, ask),
                        tuple(r.id for r in choice.rows))


def _also_varies(choice: Choice, asked: str) -> Optional[str]:
    """A second attribute the rows still differ in whatever the answer to ``asked`` is (so
    one question can ask for both), or None."""
    for name in ASK_ORDER:
        if name == asked or name not in QUESTIONS or name not in _DIM_WHAT:
            continue
        for _, value in choice.options:  # (title, "name:value")
            want = pin_value(asked, value.split(":", 1)[1] if ":" in value else value)
            fitting = [r for r in choice.rows if asked in profile(r) and fits(asked, profile(r)[asked], want)]
            values = {str(profile(r).get(name)) for r in fitting if name in profile(r)}
            if len(values) > 1:
                return name
    return None


def _subject(rows: Sequence[TariffRow]) -> str:
    sections = {r.section for r in rows}
    return f"i {next(iter(sections))} " if len(sections) == 1 else ""


def _same_price(rows: Sequence[TariffRow]) -> bool:
    first = rows[0]
    values = [a.value for a in first.amounts]
    return all([a.value for a in r.amounts] == values and r.unit == first.unit and
               r.kind == first.kind
               and r.text_price == first.text_price and r.kind != "empty" for r in rows)


def _decide(rows: Sequence[TariffRow], query: PriceQuery, pins: Dict[str, Any],
            sure: bool = True) -> TariffAnswer:
    """Turn candidate rows (best first) into an answer, a question or a choice."""
    choice = choose(rows, query, pins)
    if not choice.rows:
        return _not_found()
    if len(choice.rows) == 1:
        return _answer(choice.rows, query) if sure else _choose_answer(choice.rows, query, pins)
    if choice.ask and sure:
        return _clarify(choice, query, pins)
    if sure and _same_price(choice.rows):
        return _answer(choice.rows, query)
    favourite = _plain_case(choice.rows, query) if sure else None
    if favourite is not None:
        return _answer([favourite], query)
    return _choose_answer(choice.rows, query, pins)


def _label_covers(index: Any, row: TariffRow, groups: Sequence[Dict[str, float]]) -> bool:
    """Does every word of the question (some term of each group) occur in the row's label?"""
    terms = label_terms(row)
    strong = [g for g in groups if g and max(g.values()) > WEAK_GROUP]  # "mistet" says little
    groups = strong or groups
    return bool(groups) and all(any(t in terms for t in g) for g in groups)


def _plain_case(rows: Sequence[TariffRow], query: PriceQuery) -> Optional[TariffRow]:
    """The one row whose label adds clearly less than the others to what was asked."""
    index = get_index()
    groups, _ = index.query_terms(query.words)
    in_label = [r for r in rows if _label_covers(index, r, groups)]
    if not in_label or len(rows) < 2:
        return None
    asked = index.asked_terms(query.words)
    heads = [r for r in in_label if head_is_asked(r, asked)]
    if len(heads) == 1:
        return heads[0]
    ranked = sorted(rows, key=lambda r: (r not in in_label, label_extra(index, r, asked)))
    if ranked[0] not in in_label:
        return None
    first, second = (label_extra(index, r, asked) for r in ranked[:2])
    if first <= PLAIN_CASE_MAX_EXTRA and first + PLAIN_CASE_MARGIN <= second:
        return ranked[0]
    return _nested_case(rows, in_label, asked)


def _nested_case(rows: Sequence[TariffRow], in_label: Sequence[TariffRow],
                 asked: set) -> Optional[TariffRow]:
    """The row whose label says strictly less than every other's and nothing else:
    "Hjemmeboende (Hovedret)" inside "Hjemmeboende (Hovedret og biret)"."""
    if len(in_label) != len(rows):
        return None
    extras = {r.id: _label_words(r) - asked for r in rows}
    for row in rows:
        mine = extras[row.id]
        if not _label_words(row) & asked:
            continue  # the question must name the row's own thing
        if all(mine < extras[o.id] for o in rows if o is not row):
            return row
    return None


def _label_words(row: TariffRow) -> set:
    from knowledge.tariffs.search import term, words_of  # local: keep the import list short
    return {term(w) for w in words_of(row.label) if w not in ("og", "pr", "til", "for", "med",
                                                                "i", "af", "paa")}


# ------------------------------------------------------------------------- search
def _pool(hits: Sequence[Hit], gap: Optional[float] = None) -> List[Hit]:
    """Rows worth filtering by attributes: anything that explains a fair part of the question.

    Attribute words ("10 ture", "240 liter") are not search words, so the right row may
    cover a little less of the question than a neighbour; the attributes decide later.
    """
    top = max(h.coverage for h in hits)
    gap = POOL_COVERAGE_GAP if gap is None else gap
    return [h for h in hits if h.coverage >= max(POOL_MIN_COVERAGE, top - gap)]


def _tier(hits: Sequence[Hit]) -> List[Hit]:
    """Hits about as relevant as the best one: same share of the question, similar score."""
    if not hits:
        return []
    top = max(h.coverage for h in hits)
    level = [h for h in hits if h.coverage >= top - GROUP_COVERAGE_GAP]
    best = max(h.score for h in level)
    group = [h for h in level if h.score >= GROUP_SCORE_RATIO * best]
    # ... plus the best-scored row when it covers nearly as much (a qualifier such as
    # "for ældre" must not decide alone between the "omsorgstandpleje" rows)
    best_scored = max(hits, key=lambda h: h.score)
    if best_scored not in group and best_scored.coverage >= top - SCORE_TIER_COVERAGE_GAP:
        group.append(best_scored)
    group.sort(key=lambda h: (-h.coverage, -h.score))
    return group


def _narrow_hits(hits: Sequence[Hit], query: PriceQuery,
                 pins: Dict[str, Any]) -> Tuple[List[Hit], int]:
    """Filter hits by the question's attributes, then keep the most relevant tier."""
    choice = choose([h.row for h in hits], query, pins)
    kept = {r.id for r in choice.rows}
    filtered = [h for h in hits if h.row.id in kept]
    return _tier(filtered or list(hits)), len(choice.conflicts)


def _candidates(hits: Sequence[Hit], query: PriceQuery) -> List[Hit]:
    """The rows to decide between. When an attribute the user stated fits none of the close
    rows ("halvårskort" while the search liked "årskort" best), look a little further."""
    tier, conflicts = _narrow_hits(_pool(hits), query, {})
    if conflicts:
        wider, fewer = _narrow_hits(_pool(hits, POOL_COVERAGE_GAP_WITH_ATTRIBUTES), query, {})
        if fewer < conflicts:
            return wider
    return tier


def _new_question(text: str) -> TariffAnswer:
    query = parse_query(text or "")
    if not query.words:
        return _not_found("Skriv gerne, hvad du vil kende prisen på. ")
    both = _deposit_and_rent(query)
    if both is not None:
        return _remember(both, query)
    return _answer_query(query)


_DEPOSIT = "depositum"
_RENT_WORDS = frozenset("leje lejen lejepris lejeprisen doegnleje doegnlejen huslejen".split())


def _deposit_and_rent(query: PriceQuery) -> Optional[TariffAnswer]:
    """"depositum og leje pr. døgn": both rows of the same thing, each with its price."""
    words = list(query.words)
    deposit = [w for w in words if w.startswith(_DEPOSIT)]
    rent = [w for w in words if w in _RENT_WORDS]
    if not deposit or not (rent or query.period or query.days):
        return None
    rest = [w for w in words if w not in deposit and w not in rent]
    if not rest:
        return None
    first = _answer_query(replace(query, words=tuple(rest + [_DEPOSIT]), period=None, days=None,
                                  per=None))
    second = _answer_query(replace(query, words=tuple(rest + ["leje"])))
    if first.status != "answer" or second.status != "answer":
        return None
    a, b = catalogue().row(first.row_ids[0]), catalogue().row(second.row_ids[0])
    if a.id == b.id or a.section != b.section or _DEPOSIT not in fold(" ".join(a.headings + (a.label,))):
        return None
    text = (f"{a.subsection}: " + first.text.split("\nKilde:")[0] + "\n"
            + f"{b.subsection}: " + second.text)
    return TariffAnswer("answer", text, (), None, (a.id, b.id), combined=True)


def _answer_query(query: PriceQuery) -> TariffAnswer:
    return _remember(_answer_query_once(query), query)


def _remember(answer: TariffAnswer, query: PriceQuery) -> TariffAnswer:
    """An answered price keeps its question, so that "og om søndagen?", "nej, til min far" or
    "og tre billetter?" are read against it (knowledge/tariffs/followup.py)."""
    if answer.status != "answer" or answer.context is not None or not answer.row_ids:
        return answer
    context = {"v": CONTEXT_VERSION, "query": query_to_dict(query), "rows": list(answer.row_ids),
               "pins": {}, "ask": None, "answered": True}
    return replace(answer, context=context)


def _music_subjects(query: PriceQuery) -> Optional[TariffAnswer]:
    """Several music-school subjects of one pupil: the discount the list states applies, asked
    for or not ("30 min om ugen og også hørelære")."""
    text = fold(query.text)
    if _SUBJECT_DISCOUNT_RE.search(text):
        return _subjects_answer(query)
    if query.children or len(query.people) > 1 or not _SUBJECT_SPLIT_RE.search(text):
        return None
    hits = get_index().search(query.words, limit=3)
    if not hits or hits[0].row.section != MUSIC_SECTION:
        return None
    return _subjects_answer(query)


def _answer_query_once(query: PriceQuery) -> TariffAnswer:
    # Questions of a shape of their own first: two options compared, several items of a bill,
    # several music-school subjects with the discount, the discount rules themselves.
    for special in (_compare_answer, _items_answer, _music_subjects, _discount_rules_answer):
        found = special(query)
        if found is not None:
            return found
    hits = _with_measure_fit(get_index().search(query.words, limit=MAX_CANDIDATES), query)
    if not hits:
        return _not_found()
    if max(h.coverage for h in hits) < MIN_COVERAGE:
        return _spread_question(hits, query) or _not_found()
    tier = _candidates(hits, query)
    if query.people and tier[0].coverage >= SUPPORTED_COVERAGE:
        summed = _people_answer(hits, query)
        if summed is not None:
            return summed
    contradicted = _contradicted(tier, hits, query)
    if contradicted is not None:
        return contradicted
    return _decide([h.row for h in tier], query, {}, _sure(tier, query))


def _with_measure_fit(hits: List[Hit], query: PriceQuery) -> List[Hit]:
    """When no row's words explain the question surely, hits whose row is priced by a measure
    the question states count as explaining more of it (:data:`QUANTITY_FIT_BONUS`); the order
    by score stays. Only rows among the best explained by their words get it, so a row the
    words explain less is never lifted past them."""
    if not hits or not any(getattr(query, n) is not None for n in ("m2", "m3", "minutes", "income", "money")):
        return hits
    if any(measure_fits(h.row, query) and h.row.amounts and h.coverage >= POOL_MIN_COVERAGE
           for h in hits):
        # a row without an amount ("Se årslejen") cannot be the sum asked for when rows priced
        # by the stated measure are found among those the words explain ("Gratis" is a price)
        hits = [Hit(h.row, h.score, 0.0) if h.row.kind not in _PRICED_KINDS
                and "gratis" not in fold(h.row.price_text or "") else h for h in hits]
    if max(h.coverage for h in hits) >= SURE_COVERAGE:
        return hits
    # the measure confirms the rows the words explain best; it never lifts a weaker one past them
    top = max(h.coverage for h in hits)
    return [Hit(h.row, h.score, min(1.0, h.coverage + QUANTITY_FIT_BONUS)) if measure_fits(h.row, query)
            and 0 < h.coverage and h.coverage >= top - GROUP_COVERAGE_GAP else h for h in hits]


def _one_item(query: PriceQuery) -> Optional[Item]:
    """One item of a "what is it in total" question: its one sure row and amount, or None."""
    answer = _answer_query_once(query)
    if answer.status != "answer" or not answer.row_ids:
        return None
    rows = [catalogue().row(i) for i in dict.fromkeys(answer.row_ids)]
    if len({r.amounts for r in rows}) != 1:  # "samme takst gælder for …": one price, several rows
        return None
    row = rows[0]
    calculation = calculate(row, query)  # also a percent or promille row with its base
    if calculation is not None:
        return Item(query.text, row, calculation.total, calculation.working)
    value = amount_for(row, query.per)
    if value is None:
        return None
    if query.count and query.count > 1 and row.unit == "unknown":
        # "3 tager dagens menu": the count at an item's head counts that item (items.py); the
        # shared calculation does not multiply unit-less rows, where a count is often persons
        total = value * query.count
        return Item(query.text, row, total, f"{query.count} × {format_kr(value)} = {format_kr(total)}")
    return Item(query.text, row, value, format_kr(value))


@lru_cache(maxsize=1)
def _place_words() -> FrozenSet[str]:
    """Words of the price list's section, subsection and heading names ("spejderhus",
    "marina", "sommerhus"): the place an item of a bill is priced at."""
    words = set()
    for row in catalogue().rows:
        for name in (row.section, row.subsection, *row.headings):
            words.update(w for w in words_of(name) if len(w) > 3)
    words -= STOPWORDS
    return frozenset(words | {stem(stem(w)) for w in words})  # also the stems: "areal", "arealer"


def _items_answer(query: PriceQuery) -> Optional[TariffAnswer]:
    """"storskrald 12 gange og haveaffald – i alt?": a line per item and the sum (items.py)."""
    items = price_items(query, _one_item, _place_words())
    if not items:
        return None
    titles = _distinct_titles([i.row for i in items])
    lines = [_sentence(f"{title} ({_where(i.row)}, {i.row.year}): {price_text(i.row)}"
                       + (f" – {i.working}" if i.working != format_kr(i.total) else ""))
             for i, title in zip(items, titles)]
    terms = " + ".join(format_kr(i.total) for i in items)
    lines.append(_sentence(f"I alt: {terms} = {format_kr(items_total(items))}"))
    sources = list(dict.fromkeys(source_line(i.row) for i in items))
    lines.extend(sources)
    return TariffAnswer("answer", "\n".join(lines), (), None,
                        tuple(dict.fromkeys(i.row.id for i in items)), combined=True)


def _compare_answer(query: PriceQuery) -> Optional[TariffAnswer]:
    """"Årskort eller 40 enkeltbilletter – hvad er billigst?": both totals, which is cheaper and
    by how much; "hvor mange gange før kortet betaler sig?": from which visit the card wins."""
    for single in SINGLE_WORDS:
        options = compare_queries(query, single)
        if not options:
            return None
        priced = [_priced_option(o, tries) for o, tries in zip(options, option_context(options))]
        if all(priced) and not _same_place(priced[0].row, priced[1].row):
            return None  # the two options are compared at one place, not across the list
        if not (any(p is None for p in priced) or priced[0].row.id == priced[1].row.id):
            break
    else:
        return None
    a, b = priced
    lines = [_sentence(f"{_title(i.row)} ({_where(i.row)}, {i.row.year}): {price_text(i.row)}"
                       + (f" – {i.working}" if i.working != format_kr(i.total) else ""))
             for i in priced]
    if BREAK_EVEN_RE.search(fold(query.text)) and not any(o.count and o.count > 1 for o in options):
        card, single = (a, b) if a.total > b.total else (b, a)
        visit = break_even(card, single)
        if visit is not None:
            one = single.total
            lines.append(_sentence(
                f"{visit - 1} gange koster {visit - 1} × {format_kr(one)} = {format_kr((visit - 1) * one)}, "
                f"{visit} gange {visit} × {format_kr(one)} = {format_kr(visit * one)}, og kortet koster "
                f"{format_kr(card.total)} – så fra den {visit}. gang er kortet billigst"))
            lines.append(source_line(card.row))
            return TariffAnswer("answer", "\n".join(lines), (), None, (card.row.id, single.row.id),
                                combined=True)
    if a.total == b.total:
        lines.append(_sentence(f"De koster det samme: {format_kr(a.total)}"))
    else:
        cheap, dear = (a, b) if a.total < b.total else (b, a)
        lines.append(_sentence(
            f"Billigst: {_title(cheap.row)}, {format_kr(cheap.total)} – du sparer "
            f"{format_kr(dear.total)} − {format_kr(cheap.total)} = {format_kr(dear.total - cheap.total)}"))
    lines.extend(dict.fromkeys(source_line(i.row) for i in priced))
    return TariffAnswer("answer", "\n".join(lines), (), None, (a.row.id, b.row.id), combined=True)


def _priced_option(option: PriceQuery, tries: Sequence[Tuple[str, ...]]) -> Optional[Item]:
    """One option of a comparison, priced with the words that name the place of the other
    options first ("motion …, 3 månedskort eller et kvartalskort": the quarter card of motion),
    then on its own words, then with all the other options' words."""
    attempts = [option.words + tries[0]] if tries else []
    attempts.append(option.words)
    attempts.extend(option.words + extra for extra in tries[1:])
    for words in dict.fromkeys(attempts):
        item = _one_item(replace(option, words=words)) if words else None
        if item is not None:
            return item
    return None


def _same_place(a: TariffRow, b: TariffRow) -> bool:
    return a.section == b.section


def _spread_question(hits: Sequence[Hit], query: PriceQuery) -> Optional[TariffAnswer]:
    """Every word is a price-list word, but no row explains enough of them ("en lille jolle på
    trailer … slæbestedet en enkelt dag"): ask which row is meant rather than give up. A word
    the price list does not know ("leje en elefant") still ends in "not found"."""
    if max(h.coverage for h in hits) < POOL_MIN_COVERAGE:
        return None
    _, unknown = get_index().query_terms(query.words)
    if unknown:
        return None
    rows = [h.row for h in _candidates(hits, query)]
    which = "denne" if len(rows) == 1 else "en af disse"
    return _choose_answer(rows, query, {}, intro=(
        f"Jeg er ikke sikker på, hvilken pris du mener. Mente du {which}? "
        f"Ellers ring til Opkrævningen på tlf. {PHONE}."))


def _contradicted(tier: Sequence[Hit], hits: Sequence[Hit],
                  query: PriceQuery) -> Optional[TariffAnswer]:
    """A stated size/weight/… that every close row contradicts ("370 l dagrenovation" where
    the close rows are 190/400/660 liter): never answer with a row that says otherwise;
    offer the rows further down that fit what was said, if any."""
    choice = choose([h.row for h in tier], query, {})
    want = wanted(query)
    names = [n for n in choice.conflicts if n in want and n in _HARD_DIMS]
    if not names or not choice.rows:
        return None
    if not all(any(n in profile(r) for n in names) for r in choice.rows):
        return None
    fitting = [h.row for h in hits
               if all(n in profile(h.row) and fits(n, profile(h.row)[n], want[n]) for n in names)]
    if not fitting:
        return None
    return _choose_answer(fitting, query, {})


_HARD_DIMS = frozenset({"liters", "m3", "emptyings", "tons", "boat_length", "lesson_minutes"})


MUSIC_SECTION = "Køge Musikskole"
_SUBJECT_DISCOUNT_RE = re.compile(r"\brabat\w*|\bflere fag\b|\bfag\b")
_SUBJECT_SPLIT_RE = re.compile(r"\bog\b|,|\+|\bsamt\b|\bplus\b")


_MUSIC_SCHOOL_WORDS = frozenset({"musikskole", "musikskolen", "musikskolens", "music", "school"})
_WHO_ATTRIBUTES = frozenset({"children", "category", "count", "minor", "age"})


def _discount_rules_answer(query: PriceQuery) -> Optional[TariffAnswer]:
    """"Er der søskenderabat i musikskolen?" without a subject: the school's discount rules,
    as the price list states them in its notes (no price row to compute with)."""
    if not DISCOUNT_ASKED_RE.search(fold(query.text)) or not query.words \
            or not set(query.words) <= _MUSIC_SCHOOL_WORDS \
            or set(query.attributes()) - _WHO_ATTRIBUTES:  # a lesson named: price it
        return None
    rows = [r for r in catalogue().rows if r.section == MUSIC_SECTION
            and any("rabat" in fold(n) for n in r.notes)]
    if not rows:
        return None
    notes = [n for n in rows[0].notes if "rabat" in fold(n)]
    lines = [f"{MUSIC_SECTION}, {rows[0].year}:"] + [f"• {_sentence(n)}" for n in notes]
    lines.append(source_line(rows[0]))
    return TariffAnswer("answer", "\n".join(lines), (), None, (rows[0].id,))


def _subjects_answer(query: PriceQuery) -> Optional[TariffAnswer]:
    """One pupil, several music-school subjects with the discount: "-25% for andet og
    efterfølgende fag. Rabatten beregnes på de billigste fag" (full price for the dearest)."""
    from knowledge.tariffs.calc import MUSIC_DISCOUNT
    found: Dict[str, TariffRow] = {}
    for part in _SUBJECT_SPLIT_RE.split(fold(query.text)):
        sub = parse_query(part)
        if not sub.words:
            continue
        hits = get_index().search(sub.words, limit=MAX_CANDIDATES)
        if not hits or hits[0].coverage < SURE_COVERAGE:
            continue
        rows = list(choose([h.row for h in _candidates(hits, sub)], sub, {}).rows)
        if len(rows) != 1 and rows:
            rows = [r for r in [_plain_case(rows, sub)] if r is not None]
        if len(rows) == 1 and rows[0].section == MUSIC_SECTION and rows[0].unit == "rate" \
                and rows[0].kind == "amount" and "leje" not in fold(rows[0].label):
            found[rows[0].id] = rows[0]
    if len(found) < 2:
        return None
    ordered = sorted(found.values(), key=lambda r: -r.amounts[0].value)
    first = ordered[0].amounts[0].value
    terms = [f"{format_kr(first)} ({ordered[0].label})"]
    total = first
    for row in ordered[1:]:
        value = row.amounts[0].value
        cut = (value * (1 - MUSIC_DISCOUNT)).quantize(Decimal("0.01"))
        total += cut
        terms.append(f"{format_kr(value)} − 25 % = {format_kr(cut)} ({row.label})")
    lines = [_sentence(f"{_title(r)} ({_where(r)}, {r.year}): {price_text(r)}") for r in ordered]
    lines.append(_sentence(f"Udregning med rabat for flere fag (25 % på andet og efterfølgende "
                           f"fag, beregnet på de billigste fag): {' + '.join(terms)} = "
                           f"{format_kr(total)} pr. rate"))
    lines.append(source_line(ordered[0]))
    return TariffAnswer("answer", "\n".join(lines), (), None, tuple(r.id for r in ordered))


def _one_person(query: PriceQuery, person: Optional[Person]) -> PriceQuery:
    """The group question asked for one person (or for nobody in particular)."""
    return replace(query, category=person[0] if person else None,
                   age=person[1] if person else None, age_max=None, minor=False, count=1,
                   people=())


def _person_choice(hits: Sequence[Hit], query: PriceQuery, person: Person) -> Choice:
    """The rows that fit one person of a group question."""
    one = _one_person(query, person)
    return choose([h.row for h in _candidates(hits, one)], one, {})


def _person_row(choice: Choice) -> Optional[TariffRow]:
    rows = list(choice.rows)
    if not rows or (len(rows) > 1 and not _same_price(rows)):
        return None
    row = rows[0]
    return row if row.kind == "amount" and row.amounts else None


_AGE_DIMS = frozenset({"age", "category"})


def _people_answer(hits: Sequence[Hit], query: PriceQuery) -> Optional[TariffAnswer]:
    """"2 voksne og 3 børn (4, 9 og 12 år)", "mig (42), min mand (67) og min bror": each person
    on their own row, a line per person and the total. When only some persons' ages are
    missing, the answer asks for them (never a guess); None when the rows of the group differ in
    something else (then the ordinary question follows and the group is priced after it)."""
    pool = [h.row for h in _candidates(hits, _one_person(query, None))]
    priced: List[Tuple[Person, TariffRow]] = []
    ageless: List[Person] = []
    for person in query.people:
        choice = _person_choice(hits, query, person)
        row = _person_row(choice)
        if row is not None:
            priced.append((person, row))
        elif choice.ask in _AGE_DIMS and len(choice.rows) > 1:
            ageless.append(person)
        else:
            return None
    if ageless:
        return _ask_ages(query, pool, ageless)
    rows = [row for _, row in priced]
    if len({r.section for r in rows}) != 1 or len({r.unit for r in rows}) != 1:
        return None
    # each person's own price: the row's, or the discount the list states for them (½ pris)
    own = [person_price(row, _one_person(query, person)) for person, row in priced]
    unit = [c.total if c is not None else row.amounts[0].value for c, (_, row) in zip(own, priced)]
    total = sum((value * person[2] for value, (person, _) in zip(unit, priced)), Decimal(0))
    lines = [f"{_where(rows[0])}, {rows[0].year}:"]
    for (person, row), calc in zip(priced, own):
        times = f"{person[2]} × " if person[2] > 1 else ""
        working = f" ({calc.working})" if calc is not None else ""
        lines.append(f"• {_who(person)}: {row.label} – {times}{price_text(row)}{working}")
    terms = " + ".join(f"{person[2]} × {format_kr(value)}" if person[2] > 1 else format_kr(value)
                       for value, (person, _) in zip(unit, priced))
    count = sum(person[2] for person, _ in priced)
    lines.append(_sentence(f"Udregning for {count} personer: {terms} = {format_kr(total)}"))
    lines.append(source_line(rows[0]))
    return TariffAnswer("answer", "\n".join(lines), (), None, tuple(dict.fromkeys(r.id for r in rows)),
                        combined=True)


def _who(person: Person) -> str:
    who = person[3] if len(person) > 3 and person[3] else (person[0] or "person")
    return who[0].upper() + who[1:]


PEOPLE_AGES = "people_ages"


def _ask_ages(query: PriceQuery, pool: Sequence[TariffRow], ageless: Sequence[Person]) -> TariffAnswer:
    names = [(p[3] if len(p) > 3 and p[3] else "den ene").split(" (")[0] for p in ageless]
    # "2 børn" -> "de 2 børn" ("Hvor gamle er de 2 børn?")
    names = [f"de {n}" if n[:1].isdigit() else n for n in names]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]
    how = "gammel" if len(ageless) == 1 and ageless[0][2] == 1 else "gamle"
    text = (f"Prisen afhænger af alder. Hvor {how} er {listed}? "
            "Skriv alderen, så regner jeg det hele sammen.")
    return TariffAnswer("clarify", text, (), _context(query, pool, {}, PEOPLE_AGES),
                        tuple(r.id for r in pool))


def _fill_ages(query: PriceQuery, said: str) -> Optional[PriceQuery]:
    """The reply to "Hvor gammel er din bror?": "40", "han er 40", "40 og 70", "voksen"."""
    folded = canonical_numbers(fold(said))
    ages = [int(n) for n in re.findall(r"(?<![\d.])\d{1,3}(?![\d.])", folded) if int(n) <= 110]
    follow = parse_query(said)
    people = list(query.people)
    todo = [i for i, p in enumerate(people) if p[0] is None and p[1] is None]
    if not todo or not (ages or follow.category):
        return None
    for n, index in enumerate(todo):
        category, _, count, who = (tuple(people[index]) + ("",))[:4]
        if n < len(ages):
            people[index] = (None, ages[n], count, f"{who.split(' (')[0]} ({ages[n]} år)")
        elif follow.category and not ages:
            people[index] = (follow.category, None, count, who)
    return replace(query, people=tuple(people))


def _sure(tier: Sequence[Hit], query: PriceQuery) -> bool:
    """Confident enough to answer: the row covers most of the question, or the user's own
    attributes (size, age, day, …) picked it out of a smaller match."""
    best = tier[0]
    if best.coverage >= SURE_COVERAGE:
        return True
    stated = set(wanted(query)) & set(profile(best.row))
    return best.coverage >= SUPPORTED_COVERAGE and (bool(stated) or len(tier) == 1)


# ------------------------------------------------------------------------- follow-ups
def _valid_context(context: Optional[dict]) -> bool:
    return bool(context) and isinstance(context, dict) and \
        context.get("v") == CONTEXT_VERSION and isinstance(context.get("rows"), list)


def _rows_by_id(ids: Sequence[str]) -> List[TariffRow]:
    cat = catalogue()
    rows = []
    for row_id in ids:
        try:
            rows.append(cat.row(str(row_id)))
        except KeyError:
            continue
    return rows


def _pick_row(reply: str, context: Optional[dict]) -> Optional[TariffAnswer]:
    """A "row:L0623" button: answer that row, computing with the stored question."""
    rows = _rows_by_id([reply[4:].strip()])
    if not rows:
        return None
    try:
        query = query_from_dict(context.get("query")) if _valid_context(context) else PriceQuery()
    except (ValueError, TypeError, ArithmeticError):
        query = PriceQuery()
    return _answer(rows, query)


def _after_answer(text: str, context: dict) -> Optional[TariffAnswer]:
    """A follow-up to a price already answered; None when ``text`` is a new question.

    The follow-up's own words may narrow the subject ("og et 10-turskort?") as long as the
    answer stays in the earlier rows' section; words that lead elsewhere are dropped
    ("og hvis sagen tager 2 timer?" stays with the building case), unless they name another
    subject by themselves ("hvad koster et pas?" after a swimming price)."""
    base = query_from_dict(context.get("query"))
    changed = follow_up_query(base, text)
    if changed is None:
        return None
    query, narrow = changed
    follow = parse_query(text)
    rows = _rows_by_id(context.get("rows") or [])
    sections = {r.section for r in rows}
    extra = tuple(w for w in follow.words if w not in base.words and get_index().known(w)
                  and w not in WEAK_WORDS and not _refers_back(w, base.words)) if narrow else ()
    follow = replace(follow, words=tuple(w for w in follow.words if not _refers_back(w, base.words)))
    if extra:
        answer = _answer_query(replace(query, words=base.words + extra))
        same_place = all(r.section in sections for r in _rows_by_id(answer.row_ids))
        if answer.status in ("answer", "clarify") and same_place:
            return answer
        if _names_another_subject(follow, rows):
            return None  # a new subject
    answer = _answer_query(replace(query, words=base.words))
    return answer if answer.status != "not_found" else None


def _refers_back(word: str, earlier: Sequence[str]) -> bool:
    """"sagen" after "byggesag", "kortet" after "årskort": the earlier subject, not a new one."""
    base = lemma(word) or word
    return len(base) >= 3 and any(base in w and base != w for w in earlier)


def _follow_up(text: str, reply: Optional[str], context: dict) -> Optional[TariffAnswer]:
    """Continue the question in ``context``; None when the message is a new question."""
    if context.get("answered") and reply is None:
        return _after_answer(text, context)
    base = query_from_dict(context.get("query"))
    pins = dict(context.get("pins") or {})
    rows = _rows_by_id(context["rows"])
    if not rows:
        return None
    said = reply if reply is not None else text
    match = _REPLY_RE.match(said or "")
    if context.get("ask") == PEOPLE_AGES:
        filled = _fill_ages(base, said or "")
        if filled is not None:
            return _answer_query(filled)
    if base.people:
        regrouped = _people_follow_up(base, said or "", match)
        if regrouped is not None:
            return regrouped
    if match and match.group(1) in ASK_ORDER:
        pins[match.group(1)] = match.group(2).strip()
        return _decide(rows, base, pins)
    follow = parse_query(said or "")
    asked = context.get("ask")
    if asked and not follow.words and not follow.attributes() and len(follow.numbers) == 1:
        pins[asked] = str(follow.numbers[0])  # a bare number answers the question asked ("12")
        return _decide(rows, base, pins)
    merged = merge_queries(base, follow)
    if follow.words:
        narrowed = _narrow(rows, follow)
        if narrowed is None:
            if not follow.attributes() or _names_another_subject(follow):
                return None  # a new question
            return _decide(rows, merged, pins)
        rows = narrowed
    elif not follow.attributes():
        return None
    return _decide(rows, merged, pins)


_QUERY_FIELDS = frozenset({"day", "category", "household", "season", "party", "period"})


def _people_follow_up(base: PriceQuery, said: str,
                      match: Optional[re.Match]) -> Optional[TariffAnswer]:
    """A group question ("2 voksne og 2 børn") answered further ("weekend"): price the whole
    group again with what was added, instead of only the rows asked about."""
    if match:
        name, value = match.group(1), match.group(2).strip()
        if name not in _QUERY_FIELDS:
            return None
        query = replace(base, **{name: value})
    else:
        follow = parse_query(said)
        if not follow.attributes():
            return None
        query = merge_queries(base, follow)
    answer = _answer_query(query)
    return answer if answer.status == "answer" and len(answer.row_ids) > 1 else None


def _names_another_subject(follow: PriceQuery, rows: Sequence[TariffRow] = ()) -> bool:
    """Do the follow-up's words clearly name something in the price list by themselves (and,
    given the earlier ``rows``, something outside their section: "og tre billetter?" after a
    swimming price stays with the swimming pool)?"""
    hits = get_index().search(follow.words, limit=5)
    if not hits or hits[0].coverage < SURE_COVERAGE:
        return False
    sections = {r.section for r in rows}
    return not sections or not any(h.row.section in sections for h in hits
                                   if h.coverage >= SURE_COVERAGE)


def _narrow(rows: Sequence[TariffRow], follow: PriceQuery) -> Optional[List[TariffRow]]:
    """The context rows the follow-up's words point to, or None if they point elsewhere."""
    hits = get_index().search(follow.words, limit=MAX_CANDIDATES, only=[r.id for r in rows])
    if not hits or max(h.coverage for h in hits) < MIN_COVERAGE:
        return None
    return [h.row for h in _tier(hits)]


def answer_price_question(
    text: str, context: Optional[dict] = None, reply: Optional[str] = None
) -> TariffAnswer:
    """Answer a price question, or continue one kept in ``context``.

    ``text`` is the user's message, ``context`` what a previous answer returned (or None),
    ``reply`` the value of a button the user pressed (or None).
    """
    try:
        if reply and reply.strip().startswith("row:"):
            picked = _pick_row(reply.strip(), context)
            if picked is not None:
                return picked
        if _valid_context(context):
            continued = _safe_follow_up(text or "", reply, context)
            if continued is not None:
                return continued
            if not text and reply and _REPLY_RE.match(reply):
                text = str((context.get("query") or {}).get("text") or "")  # ask again
        elif not text and reply and not _REPLY_RE.match(reply):
            text = reply
        return _new_question(text or "")
    except Exception:  # pragma: no cover - never break the conversation on a bad input
        LOGGER.exception("tariff answer failed for %r", text)
        return _not_found()


def _safe_follow_up(text: str, reply: Optional[str], context: dict) -> Optional[TariffAnswer]:
    """A follow-up; a context that cannot be read (stale, edited, older version) is ignored."""
    try:
        return _follow_up(text, reply, context)
    except (ValueError, TypeError, KeyError, ArithmeticError, AttributeError):
        LOGGER.warning("ignoring unreadable tariff context: %r", context)
        return None


def continue_price_question(
    text: str, context: Optional[dict], reply: Optional[str] = None
) -> Optional[TariffAnswer]:
    """The answer when ``text`` (or the button value ``reply``) continues the price question
    kept in ``context``; None when it does not (then it is a new question)."""
    try:
        if reply and reply.strip().startswith("row:"):
            return _pick_row(reply.strip(), context)
        if not _valid_context(context):
            return None
        continued = _safe_follow_up(text or "", reply, context)
        if continued is None and not text and reply and _REPLY_RE.match(reply):
            return _new_question(str((context.get("query") or {}).get("text") or ""))
        return continued
    except Exception:  # pragma: no cover - never break the conversation on a bad input
        LOGGER.exception("tariff follow-up failed for %r", text)
        return None
