"""The router: one decision per citizen message, from the intent ranking *and* the evidence of
the knowledge modules (plain Python, no Rasa; the action ``action_answer`` is its adapter).

The intent classifier is one witness. Before anything is said, the router asks each knowledge
module what it can answer: the tariff search (match quality of the best row, and whether the
message asks a price), the notes of the price list, the FAQ topics' own words, the issuer table
(which office a bill or service belongs to) and the contact block. The rule, in order
(README "Router" gives the figures behind the thresholds):

1. A button or an open question first: a "row:"/attribute button or a reply that continues the
   open price question goes to the tariff follow-up; "nej" to "Mente du …?" and a second
   unclear message hand over.
2. Empty → ask for a question. Another municipality named → "Køge only".
3. Greetings by time of day are greetings; confident small talk is small talk.
4. The contact block when the message asks the municipality's address, CVR, phone or e-mail.
5. A price asked and a strong, specific price match → the price, whatever the intent says
   (an office named as well gets its phone line after the price). A rule asked and a strong
   note → the note.
6. A confident FAQ or issuer intent → that answer; if the message asks an aspect the answer
   does not state (a date, a rate, opening hours, an e-mail, next year's prices) the reply
   says so first and names the office to call.
7. A confident price intent → the tariff answer (answer, clarifying question, "Mente du …?" or
   not found – the search's own uncertainty stays visible).
8. Weak or out-of-scope: a very strong price or note match still answers; FAQ topic words
   that clearly pick one topic answer it; a named bill or service hands over to its office;
   an in-scope aspect the texts lack is an honest unknown; else "Mente du …?" with the top
   intents, or the out-of-scope answer.

Never: a weak price match stated as the answer, a phone number or date used as an amount
(the tariff parser drops them), a fact the texts do not hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, List, Optional, Sequence, Tuple

from knowledge.bill_entity import find_bill
from knowledge.contact import contact_question, render_contact
from knowledge.faq import FaqEntry, load_faq, render_faq
from knowledge.intents import load_intents
from knowledge.issuers import (
    Issuer, find_issuer, load_issuers, render_issuer, render_issuer_table, section_issuer,
)
from knowledge.notes import NoteHit, note_words, render_note, search_notes
from knowledge.router import coverage, replies, signals
from knowledge.router.split import MAX_PARTS, split_questions
from knowledge.tariffs.answer import TariffAnswer, answer_price_question, continue_price_question
from knowledge.tariffs.query import parse_query
from knowledge.tariffs.query_english import to_danish
from knowledge.text import fold
from knowledge.tariffs.search import WEAK_WORDS, get_catalogue, get_index

CONTEXT_VERSION = 1
FALLBACK = "nlu_fallback"
SMALLTALK = ("greet", "goodbye", "thank", "bot_challenge", "chitchat", "affirm", "deny")
ACCOUNT_INTENTS = ("my_balance", "my_payment_id", "login_help")
ISSUER_INTENT = "ask_issuer"
PLAN_INTENT = "apply_instalment_plan"            # the form, for a citizen who applies
PLAN_GENERAL = "apply_instalment_plan_general"   # the FAQ answer, for a question about plans
PRICE_INTENT = "ask_price"
CONTACT_INTENT = "faq_contact"

# Thresholds (README "Router": chosen on the router's own table of cases, 2026-12-02).
CONFIDENT = 0.55          # the NLU's fallback threshold: above it the intent is believed ...
SURE = 0.80               # ... and above this the intent outweighs a competing FAQ keyword
PRICE_OVERRIDE = 0.75     # a price match this good answers a price question whatever the intent
PRICE_WITHOUT_INTENT = 0.85  # ... and this good when the NLU did not even see a question
NOTE_COVERAGE = 0.75      # a note explains this much of the question ...
NOTE_SCORE = 5.0          # ... with at least this search score,
NOTE_COVERAGE_HIGH_SCORE = 0.6  # or this much with a score of at least
NOTE_HIGH_SCORE = 10.0    # ... this (one unexplained word in a long, specific question)
NOTE_TIE = 0.85           # a second note this close in score is shown too
KEYWORD_MIN = 1.0         # FAQ topic words: at least one keyword ...
KEYWORD_MARGIN = 1.0      # ... and this much more than the next topic
MAX_SUGGESTIONS = 3
MIN_SUGGESTION = 0.05
ISSUER_MIN_SCORE = 85.0   # a bill or service named clearly enough to hand over to its office
IN_SCOPE_RE_WORDS = ("regning", "betal", "gebyr", "rykker", "skat", "afdrag", "rente", "opkraev",
                     "kommune", "takst", "pris", "gaeld", "faktura", "bill", "pay")


@dataclass(frozen=True)
class Turn:
    """What the router needs to know about one message."""

    text: str                                      # the citizen's words (cleaned, no CPR)
    intent: Optional[str] = None                   # top intent (FALLBACK when unclear)
    ranking: Tuple[Tuple[str, float], ...] = ()    # intents with confidences, best first
    bill_type: Optional[str] = None                # the NLU's bill_type entity, if any
    reply: Optional[str] = None                    # a tariff button's value
    payload_intent: Optional[str] = None           # the intent a button chose ("/faq_pay")
    context: Optional[Dict[str, Any]] = None       # what the previous reply left


@dataclass(frozen=True)
class Reply:
    """The router's decision: what to say, where it comes from, what to remember."""

    kind: str          # answer | clarify | choose | unknown | handover | out_of_scope |
    #                    smalltalk | koege_only | suggest | empty | not_found
    source: str        # tariff | note | faq | issuer | contact | router
    text: str = ""
    buttons: Tuple[Tuple[str, str], ...] = ()
    context: Optional[Dict[str, Any]] = None
    handover: bool = False                         # a human is needed (logged as unanswered)
    topic: Optional[str] = None                    # FAQ id, office id or row ids


@dataclass
class Evidence:
    """What the knowledge modules can say about one message."""

    price_asked: bool
    rule_asked: bool
    aspects: FrozenSet[str]
    year: Optional[int]
    tariff: Optional[TariffAnswer] = None
    tariff_coverage: float = 0.0
    tariff_specific: bool = False
    tariff_words: int = 0                          # specific price-list words in the question
    notes: List[NoteHit] = field(default_factory=list)
    keywords: List[Tuple[str, float]] = field(default_factory=list)
    issuer: Optional[Issuer] = None
    issuer_score: float = 0.0
    text: str = ""                                 # the message the evidence is about


# ------------------------------------------------------------------------------ entry point
def route(turn: Turn) -> Reply:
    """Decide the reply to one message."""
    context = turn.context if _valid(turn.context) else {}
    text = (turn.text or "").strip()
    ranking = tuple((n, c) for n, c in turn.ranking if n != FALLBACK)
    top, confidence = (ranking[0] if ranking else (None, 0.0))
    intent = turn.intent or top
    if intent == FALLBACK or confidence < CONFIDENT:
        intent = FALLBACK

    continued = _continue(turn, context, intent)
    if continued is not None:
        return _with_memory(continued, context)
    parts = split_questions(text) if not turn.payload_intent and turn.reply is None else [text]
    if len(parts) > 1:
        several = _several(turn, parts, context)
        if several is not None:
            return several
    return _route_one(turn, text, intent, confidence, ranking, context)


def _route_one(turn: Turn, text: str, intent: str, confidence: float,
               ranking: Tuple[Tuple[str, float], ...], context: Dict[str, Any]) -> Reply:
    """One question (steps 2-8 of the rule)."""
    if turn.payload_intent in ACCOUNT_INTENTS or (intent in ACCOUNT_INTENTS and signals.personal(text)):
        return Reply("account", "account", topic=turn.payload_intent or intent,
                     context=_keep_subject(context))
    if intent in ACCOUNT_INTENTS:
        intent = FALLBACK  # "hvornår skal ejendomsskatten betales" is not about one's own bills
    if intent == PLAN_INTENT or turn.payload_intent == PLAN_INTENT:
        if turn.payload_intent == PLAN_INTENT or signals.plan_requested(text):
            return Reply("account", "account", topic=PLAN_INTENT, context=_keep_subject(context))
        intent = PLAN_GENERAL
    if turn.payload_intent:
        return _chosen(turn.payload_intent, text, turn, context)
    if not text:
        return _reply("empty", "router", replies.empty(), context=_forget(context))
    name = signals.other_municipality(text)
    if name:
        return _reply("koege_only", "router", replies.koege_only(name), context=_forget(context))
    by_time = signals.greeting_by_time(text)
    if by_time:
        return _smalltalk(by_time, context)

    evidence = gather(text, turn.bill_type)
    elliptical = _about_last_office(text, evidence, context)
    if elliptical is not None:
        return _with_memory(elliptical, context)
    contact = _contact(text, evidence)
    if contact is not None:
        return contact
    if intent in SMALLTALK and confidence >= SURE and not _knowledge_beats_smalltalk(evidence):
        return _smalltalk(intent, context)
    strong = _strong_knowledge(evidence, intent)
    if strong is not None:
        return _with_memory(strong, context)
    if intent != FALLBACK and (intent.startswith("faq_") or intent in (ISSUER_INTENT, PLAN_GENERAL)):
        return _with_memory(_topic_answer(intent, text, evidence, confidence), context)
    if intent == PRICE_INTENT:
        return _with_memory(_price_answer(evidence, text), context)
    if intent in SMALLTALK:
        return _smalltalk(intent, context)
    return _with_memory(_weak(text, intent, ranking, evidence), context)


_CALL_RE = re.compile(r"\b(deres|jeres|dem|det kontor|kontoret)\b.*\b(nummer|telefon\w*|tlf|ringe|ring)\b|"
                      r"\b(nummer|telefon\w*|tlf|ringe|ring)\b.*\b(deres|jeres|dem|til dem)\b|"
                      r"\bhvem (skal|kan) jeg (ringe|kontakte|snakke)\b|\btheir (number|phone)\b")


def _about_last_office(text: str, evidence: Evidence, context: Dict[str, Any]) -> Optional[Reply]:
    """A follow-up to an issuer answer that names no office of its own: "hvad er deres
    nummer?", "hvem skal jeg ringe til?" → that office; "hvad koster det?" → the price of the
    service the office bills."""
    last = context.get("last") or {}
    if last.get("source") != "issuer" or evidence.issuer is not None:
        return None
    issuer = next((i for i in load_issuers() if i.id == last.get("topic")), None)
    if issuer is None:
        return None
    low = fold(text)
    if _CALL_RE.search(low):
        return _reply("answer", "issuer", render_issuer(issuer), topic=issuer.id)
    if evidence.price_asked and not parse_query(text).words:
        subject = f"{text} {issuer.bill_type}"
        return _price_answer(gather(subject), subject)
    return None


# ------------------------------------------------------------------------------ several questions
_WEAK_KINDS = frozenset({"suggest", "out_of_scope", "not_found", "empty", "choose"})


def _several(turn: Turn, parts: Sequence[str], context: Dict[str, Any]) -> Optional[Reply]:
    """Each question of the message answered in the order asked (at most MAX_PARTS); one that
    cannot be answered gets its honest reply and does not spoil the others. None when the
    parts are not questions of their own: one of them is unclear on its own ("… hvem har
    bestemt det beløb?" refers back) while the NLU is sure of the message as a whole, or every
    part lands on the same answer."""
    answered: List[Reply] = []
    used: List[str] = []
    for part in parts[:MAX_PARTS]:
        intent = _part_intent(part, turn.ranking, used)
        used.append(intent)
        one = Turn(text=part, intent=intent, ranking=((intent, SURE),) + tuple(
            (n, min(c, CONFIDENT - 0.01)) for n, c in turn.ranking if n != intent),
            bill_type=None, context={"v": CONTEXT_VERSION})
        answered.append(route(one))
    whole_sure = bool(turn.ranking) and turn.ranking[0][1] >= SURE
    if whole_sure and any(r.kind in _WEAK_KINDS for r in answered):
        return None
    if len({(r.source, r.topic) for r in answered}) == 1:
        return None
    texts = [r.text for r in answered if r.text]
    if len(parts) > MAX_PARTS:
        texts.append(replies.more_questions(MAX_PARTS))
    last = next((r for r in reversed(answered) if r.context and r.context.get("tariff")), None)
    buttons = next((r.buttons for r in reversed(answered) if r.buttons), ())
    kinds = {r.kind for r in answered}
    kind = "answer" if kinds <= {"answer", "smalltalk"} else ("several" if "answer" in kinds else
                                                               answered[0].kind)
    kept = last.context if last is not None else {"v": CONTEXT_VERSION}
    return Reply(kind, "router", "\n\n".join(texts), buttons=buttons, context=kept,
                 handover=any(r.handover for r in answered),
                 topic=";".join(r.topic or "" for r in answered))


def _part_intent(part: str, ranking: Sequence[Tuple[str, float]], used: Sequence[str]) -> str:
    """The whole message's NLU saw several questions at once: which of its intents is this
    part's? Read from the part's own words (a price, an office, a FAQ topic's words), else the
    best intent not taken by an earlier part."""
    candidates = [n for n, _ in ranking if n != FALLBACK]
    if signals.price_asked(part) and parse_query(part).words:
        return PRICE_INTENT
    words = fold(part)
    if re.search(r"\b(hvem (sender|udsender|udsteder|opkraever)|hvem skal jeg (ringe|kontakte)|"
                 r"who sends)\b", words) and find_issuer(part) is not None:
        return ISSUER_INTENT
    faq = load_faq()
    keywords = signals.strongest(signals.faq_keyword_scores(
        part, {k: e.keywords for k, e in faq.items() if e.keywords}))
    if keywords and keywords[0][0] in faq and keywords[0][0].startswith("faq_"):
        return keywords[0][0]
    for name in candidates:
        if name not in used and (name.startswith("faq_") or name in (ISSUER_INTENT, PRICE_INTENT)):
            return name
    return FALLBACK


# ------------------------------------------------------------------------------ evidence
def gather(text: str, bill_type: Optional[str] = None) -> Evidence:
    """Ask every knowledge module what it can answer for ``text`` (an English question also
    through the glossary's Danish, so it reaches the same notes, offices and aspects)."""
    danish = to_danish(fold(text))
    evidence = Evidence(price_asked=signals.price_asked(text) or signals.price_asked(danish),
                        rule_asked=signals.rule_asked(text) or signals.rule_asked(danish),
                        text=text, aspects=signals.aspects_asked(text) | signals.aspects_asked(danish),
                        year=signals.next_year(text))
    query = parse_query(text)
    if query.words:
        index = get_index()
        hits = index.search(query.words, limit=5)
        if hits:
            evidence.tariff_coverage = hits[0].coverage
            named = [w for w in query.words if w not in WEAK_WORDS and index.names_row_word(w)]
            evidence.tariff_specific = bool(named)
            evidence.tariff_words = len(named)
        evidence.tariff = answer_price_question(text)
    words = note_words(danish)
    if words:
        evidence.notes = search_notes(words, limit=3)
    faq = load_faq()
    evidence.keywords = signals.strongest(
        signals.faq_keyword_scores(text, {k: e.keywords for k, e in faq.items() if e.keywords}))
    match = find_bill(text)
    if match is None and bill_type:
        issuers = {i.id: i for i in load_issuers()}
        if bill_type in issuers:
            evidence.issuer, evidence.issuer_score = issuers[bill_type], 100.0
    elif match is not None:
        evidence.issuer, evidence.issuer_score = match.issuer, match.score
    return evidence


def _strong_price(evidence: Evidence, threshold: float) -> bool:
    answer = evidence.tariff
    return (answer is not None and answer.status == "answer" and evidence.tariff_specific
            and (answer.combined or evidence.tariff_coverage >= threshold))


def _combined_price(evidence: Evidence) -> bool:
    """A total over several rows, each picked by the question's own words and numbers."""
    return evidence.tariff is not None and evidence.tariff.combined and evidence.tariff_specific


def _strong_note(evidence: Evidence) -> Optional[List[NoteHit]]:
    if not evidence.notes:
        return None
    best = evidence.notes[0]
    strong = (best.coverage >= NOTE_COVERAGE and best.score >= NOTE_SCORE) or \
        (best.coverage >= NOTE_COVERAGE_HIGH_SCORE and best.score >= NOTE_HIGH_SCORE)
    if not strong:
        return None
    close = [h for h in evidence.notes[1:2]
             if h.coverage >= NOTE_COVERAGE and h.score >= NOTE_TIE * best.score]
    return [best] + close


def _knowledge_beats_smalltalk(evidence: Evidence) -> bool:
    return _strong_price(evidence, PRICE_WITHOUT_INTENT) and evidence.price_asked


def _strong_knowledge(evidence: Evidence, intent: str) -> Optional[Reply]:
    """Step 5: a price or a note the message clearly asks for, whatever the intent."""
    asks_time = bool(evidence.aspects & {"hours", "date", "duration", "rate"}) and \
        not _combined_price(evidence)
    if evidence.rule_asked:
        notes = _strong_note(evidence)
        if notes is not None and not (intent == PRICE_INTENT and _strong_price(evidence, 0.99)):
            return _note_reply(notes, evidence)
    if evidence.price_asked and not asks_time and intent != PRICE_INTENT \
            and _strong_price(evidence, PRICE_OVERRIDE):
        reply = _tariff_reply(evidence.tariff, evidence)
        if intent == ISSUER_INTENT and evidence.issuer is not None:
            reply = replace(reply, text=f"{reply.text}\n\n{_issuer_short(evidence.issuer)}")
        return reply
    return None


# ------------------------------------------------------------------------------ answers
def _topic_answer(intent: str, text: str, evidence: Evidence, confidence: float) -> Reply:
    """Step 6: the FAQ or issuer answer the intent names (or the topic its words name)."""
    faq = load_faq()
    if confidence < SURE and evidence.keywords:
        best, score = evidence.keywords[0]
        second = evidence.keywords[1][1] if len(evidence.keywords) > 1 else 0.0
        if best != intent and best in faq and score >= KEYWORD_MIN + 1 and score - second >= KEYWORD_MARGIN:
            intent = best
    if intent == ISSUER_INTENT or (intent == CONTACT_INTENT and evidence.issuer is not None):
        return _issuer_answer(evidence)
    entry = faq.get(intent)
    if entry is None:
        return _reply("handover", "router", replies.general_handover(), handover=True)
    return _faq_reply(entry, evidence)


def _faq_reply(entry: FaqEntry, evidence: Evidence) -> Reply:
    missing = _missing_aspects(evidence, entry.gives)
    office = evidence.issuer if evidence.issuer_score >= ISSUER_MIN_SCORE else None
    if missing:
        text = replies.unknown(missing, office, related=render_faq(entry))
        return _reply("unknown", "faq", text, topic=entry.id, handover=True)
    uncovered = _not_covered(evidence, render_faq(entry), office)
    if uncovered is not None:
        return _reply("unknown", "faq", uncovered, topic=entry.id, handover=True)
    return _reply("answer", "faq", render_faq(entry), topic=entry.id)


def _not_covered(evidence: Evidence, answer: str, office: Optional[Issuer]) -> Optional[str]:
    """The honest unknown when the chosen answer does not cover what the question asks
    (knowledge/router/coverage.py): a word the texts never use, or a value they do not give."""
    words = coverage.unfamiliar_words(evidence.text)
    value = None if words else coverage.value_missing(evidence.text, answer)
    if not words and value is None:
        return None
    return replies.not_covered(words, value, office, related=answer)


def _missing_aspects(evidence: Evidence, gives: Sequence[str]) -> FrozenSet[str]:
    asked = set(evidence.aspects)
    if "email" in asked:
        asked.discard("email")  # the contact step answers e-mail questions
    return frozenset(a for a in asked if a not in gives and a != "amount")


def _issuer_answer(evidence: Evidence) -> Reply:
    issuer = evidence.issuer
    if issuer is None:
        return _reply("answer", "issuer", render_issuer_table(), topic="all")
    if evidence.aspects & {"hours", "date", "duration", "rate"}:
        missing = frozenset(evidence.aspects & {"hours", "date", "duration", "rate"})
        return _reply("unknown", "issuer", replies.unknown(missing, issuer, related=render_issuer(issuer)),
                      topic=issuer.id, handover=True)
    uncovered = _not_covered(evidence, render_issuer(issuer), issuer)
    if uncovered is not None:
        return _reply("unknown", "issuer", uncovered, topic=issuer.id, handover=True)
    return _reply("answer", "issuer", render_issuer(issuer), topic=issuer.id)


def _issuer_short(issuer: Issuer) -> str:
    if not issuer.phone:
        return f"Regningen {issuer.bill_phrase} sendes af {issuer.office_in_sentence}."
    return (f"Har du spørgsmål til regningen {issuer.bill_phrase}, kan du ringe til "
            f"{issuer.office_in_sentence} på tlf. {issuer.phone}.")


def _price_answer(evidence: Evidence, text: str) -> Reply:
    """Step 7: the price list's own answer; a note when the list has a rule but no row."""
    answer = evidence.tariff or answer_price_question(text)
    if answer.status == "not_found":
        notes = _strong_note(evidence)
        if notes is not None:
            return _note_reply(notes, evidence)
        office = evidence.issuer if evidence.issuer_score >= ISSUER_MIN_SCORE else None
        aspects = frozenset({"amount"}) | (evidence.aspects & {"date", "hours", "duration"})
        return _reply("unknown", "tariff", replies.unknown(aspects, office),
                      handover=True)
    return _tariff_reply(answer, evidence)


def _tariff_reply(answer: TariffAnswer, evidence: Evidence) -> Reply:
    text = answer.text
    if evidence.year and answer.status in ("answer", "clarify", "choose"):
        # Next year's price is not in the list: never the 2024 price as if it answered.
        office = _office_of_rows(answer.row_ids, evidence)
        button = (replies.NEXT_YEAR_BUTTON, signals.without_next_year(evidence.text))
        return Reply("unknown", "tariff", replies.next_year(evidence.year, office),
                     buttons=(button,), handover=True, topic=",".join(answer.row_ids) or None)
    kind = {"answer": "answer", "clarify": "clarify", "choose": "choose"}.get(answer.status, "not_found")
    return Reply(kind=kind, source="tariff", text=text, buttons=tuple(answer.buttons),
                 context={"tariff": answer.context} if answer.context else None,
                 handover=kind == "not_found", topic=",".join(answer.row_ids) or None)


def _office_of_rows(row_ids: Sequence[str], evidence: Evidence) -> Optional[Issuer]:
    """The office to call about rows of the price list: the one the question names, else
    the one that bills the rows' section (knowledge/data/section_offices.yml)."""
    if evidence.issuer is not None and evidence.issuer_score >= ISSUER_MIN_SCORE:
        return evidence.issuer
    catalogue = get_catalogue()
    for row_id in row_ids:
        try:
            office = section_issuer(catalogue.row(row_id).section)
        except KeyError:
            continue
        if office is not None:
            return office
    return None


def _note_reply(notes: Sequence[NoteHit], evidence: Evidence) -> Reply:
    text = "\n\n".join(render_note(h.note) for h in notes)
    return _reply("answer", "note", text, topic=",".join(h.note.id for h in notes))


def _contact(text: str, evidence: Evidence) -> Optional[Reply]:
    """Step 4: the municipality's address, CVR, phone or e-mail."""
    asked = contact_question(text)
    if not asked.fields:
        asked = contact_question(to_danish(fold(text)))
    if not asked.fields:
        return None
    office = evidence.issuer if evidence.issuer_score >= ISSUER_MIN_SCORE else None
    names_office = office is not None or "opkraevning" in text.lower().replace("æ", "ae")
    if asked.general and not names_office:
        return _reply("answer", "contact", render_contact(asked.fields), topic="contact")
    if names_office and asked.fields & {"email", "address"} and "phone" not in asked.fields:
        missing = frozenset(asked.fields & {"email", "address"})
        related = render_contact(asked.fields & {"email", "address"})
        return _reply("unknown", "contact", replies.unknown(missing, office, related=related),
                      topic="contact", handover=True)
    if not names_office and asked.fields <= {"cvr", "address"} :
        return _reply("answer", "contact", render_contact(asked.fields), topic="contact")
    return None


def _weak(text: str, intent: str, ranking: Sequence[Tuple[str, float]], evidence: Evidence) -> Reply:
    """Step 8: the NLU is unsure or calls it out of scope."""
    asks_time = bool(evidence.aspects & {"hours", "date", "duration", "rate"}) and \
        not _combined_price(evidence)
    if not asks_time and _strong_price(evidence, PRICE_WITHOUT_INTENT) and \
            (evidence.price_asked or evidence.tariff_coverage >= 0.99):
        return _tariff_reply(evidence.tariff, evidence)
    notes = _strong_note(evidence)
    if notes is not None and evidence.rule_asked and not asks_time:
        return _note_reply(notes, evidence)
    faq = load_faq()
    if evidence.keywords:
        best, score = evidence.keywords[0]
        second = evidence.keywords[1][1] if len(evidence.keywords) > 1 else 0.0
        if best in faq and score >= KEYWORD_MIN and score - second >= KEYWORD_MARGIN * 0.99 \
                and _suggested_first(ranking, best):
            return _faq_reply(faq[best], evidence)
    if evidence.issuer is not None and evidence.issuer_score >= ISSUER_MIN_SCORE:
        if asks_time or intent in ("out_of_scope", FALLBACK):
            return _reply("handover", "issuer", replies.office_handover(evidence.issuer),
                          topic=evidence.issuer.id, handover=True)
    if asks_time and _in_scope(text):
        return _reply("unknown", "router", replies.unknown(evidence.aspects, None),
                      handover=True)
    if intent == FALLBACK:
        names = _suggestions(ranking)
        if names:
            infos = load_intents()
            buttons = tuple((infos[n].title, f"/{n}") for n in names) + ((replies.NONE_OF_THEM, "/deny"),)
            return Reply("suggest", "router", replies.DID_YOU_MEAN, buttons=buttons,
                         context={"suggested": list(names)})
        return _reply("handover", "router", replies.general_handover(), handover=True)
    return _reply("out_of_scope", "router", replies.out_of_scope())


def _suggested_first(ranking: Sequence[Tuple[str, float]], topic: str) -> bool:
    """The keyword topic is among the NLU's three best guesses (both witnesses agree)."""
    return topic in [n for n, _ in ranking[:3]]


def _in_scope(text: str) -> bool:
    low = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return any(word in low for word in IN_SCOPE_RE_WORDS)


def _suggestions(ranking: Sequence[Tuple[str, float]]) -> List[str]:
    infos = load_intents()
    names = []
    for name, confidence in ranking:
        info = infos.get(name)
        if info is None or not info.offer_in_fallback or confidence < MIN_SUGGESTION:
            continue
        names.append(name)
        if len(names) == MAX_SUGGESTIONS:
            break
    return names


# ------------------------------------------------------------------------------ dialogue state
def _continue(turn: Turn, context: Dict[str, Any], intent: str) -> Optional[Reply]:
    """Step 1: a button, or an answer to the question the bot asked last."""
    suggested = context.get("suggested")
    if suggested:
        if intent == "deny" or turn.payload_intent == "deny":
            return _handover_for(turn.text, turn.bill_type, suggested)
        if intent == "affirm" and not turn.payload_intent:
            infos = load_intents()
            buttons = tuple((infos[n].title, f"/{n}") for n in suggested if n in infos)
            return Reply("suggest", "router", replies.WHICH_ONE,
                         buttons=buttons + ((replies.NONE_OF_THEM, "/deny"),), context=context)
    tariff = context.get("tariff")
    if tariff and tariff.get("answered") and turn.reply is None and not _follows_answer(turn, intent):
        tariff = None  # an answered price is memory, not an open question: a clear new topic wins
    if turn.reply is not None or tariff:
        if turn.payload_intent not in (None, PRICE_INTENT):
            return None
        answer = continue_price_question(turn.text if turn.reply is None else "", tariff, turn.reply)
        if answer is not None:
            return _tariff_reply(answer, gather_light(turn.text))
        if turn.reply is not None:
            return _tariff_reply(answer_price_question("", tariff, turn.reply), gather_light(turn.text))
    if suggested and intent == FALLBACK:
        return _handover_for(turn.text, turn.bill_type, suggested)
    return None


def _follows_answer(turn: Turn, intent: str) -> bool:
    """May this message continue the price answered last? Not when the NLU is sure of another
    topic and the message does not read as a continuation ("og …?", "nej, …", short)."""
    top = turn.ranking[0] if turn.ranking else (intent, 1.0)
    other_topic = top[0] not in (PRICE_INTENT, FALLBACK, "deny", "affirm", "out_of_scope") \
        and top[1] >= SURE
    return signals.follow_up_like(turn.text) or not other_topic


def gather_light(text: str) -> Evidence:
    return Evidence(price_asked=True, rule_asked=False, aspects=frozenset(), year=signals.next_year(text),
                    text=text)


def _handover_for(text: str, bill_type: Optional[str], suggested: Sequence[str]) -> Reply:
    match = find_issuer(text) if text else None
    issuer = match.issuer if match else None
    if issuer is None and bill_type:
        issuer = {i.id: i for i in load_issuers()}.get(bill_type)
    if issuer is not None and issuer.phone:
        return _reply("handover", "router", replies.office_handover(issuer), handover=True,
                      topic=issuer.id)
    return _reply("handover", "router", replies.general_handover(), handover=True)


def _chosen(intent: str, text: str, turn: Turn, context: Dict[str, Any]) -> Reply:
    """A button picked an intent ("/faq_late_payment"): answer it for the question asked."""
    if intent in SMALLTALK:
        if intent == "deny":
            return _handover_for(text, turn.bill_type, context.get("suggested") or ())
        return _smalltalk(intent, context)
    evidence = gather(text, turn.bill_type) if text and not text.startswith("/") else \
        Evidence(price_asked=False, rule_asked=False, aspects=frozenset(), year=None)
    if intent == PRICE_INTENT:
        return _with_memory(_price_answer(evidence, text), context)
    if intent.startswith("faq_") or intent == ISSUER_INTENT:
        return _with_memory(_topic_answer(intent, text, evidence, 1.0), context)
    return _reply("handover", "router", replies.general_handover(), handover=True)


def _smalltalk(intent: str, context: Dict[str, Any]) -> Reply:
    return Reply("smalltalk", "router", text=replies.smalltalk(intent), context=_keep_subject(context))


def _with_memory(reply: Reply, context: Dict[str, Any]) -> Reply:
    """The context to keep after ``reply``: its own open question, and the last subject."""
    kept: Dict[str, Any] = {"v": CONTEXT_VERSION}
    if reply.context:
        kept.update({k: v for k, v in reply.context.items() if k in ("tariff", "suggested")})
    if reply.kind in ("answer", "unknown", "handover") and reply.topic:
        kept["last"] = {"source": reply.source, "topic": reply.topic}
    return replace(reply, context=kept)


def _keep_subject(context: Dict[str, Any]) -> Dict[str, Any]:
    kept: Dict[str, Any] = {"v": CONTEXT_VERSION}
    if context.get("last"):
        kept["last"] = context["last"]
    return kept


def _forget(context: Dict[str, Any]) -> Dict[str, Any]:
    return {"v": CONTEXT_VERSION}


def _valid(context: Optional[Dict[str, Any]]) -> bool:
    return isinstance(context, dict) and context.get("v") == CONTEXT_VERSION


def _reply(kind: str, source: str, text: str, *, topic: Optional[str] = None,
           handover: bool = False, context: Optional[Dict[str, Any]] = None) -> Reply:
    return Reply(kind=kind, source=source, text=text, topic=topic, handover=handover,
                 context=context)


def warm() -> None:
    """Load every knowledge file and build the search indexes now (the action server calls
    this at start, so the first citizen does not wait for it)."""
    get_index()
    search_notes(["byggesag"])
    load_faq()
    load_issuers()
    load_intents()
    coverage.unfamiliar_words("eftergivelse af gæld")  # the lexicon and the vocabularies
    signals.other_municipality("roskilde")
    contact_question("cvr")
    render_contact()
