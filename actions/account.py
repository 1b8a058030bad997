"""Personal questions: balance, one bill, payment ID, consequences, overpayment, instalment plan.

Who the citizen is comes ONLY from a signed token the gateway puts in the message metadata
(``metadata["identity_token"]``, see ``bot/chat.py``), verified here with
:func:`core.identity.verify_token` against Rasa's ``sender_id`` (the conversation id the
token is bound to). Everything else in a request - other metadata fields, slots, entities,
a CPR number typed in the chat - is never used to pick whose data to show. A forged,
expired, re-used (other conversation) or missing token gets no personal data.

Thin: the ledger queries are in :mod:`core.ledger`, the Danish wording in
:mod:`core.ledger_answers`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.common import (
    SafeAction, buttons, entity_value, latest_intent, latest_text, read_turn, send_answer_flag,
    warned_about_cpr,
)
from core import ledger
from core import ledger_answers as answers
from core.identity import IdentityError, Reason, verify_token
from core.settings import get_settings
from knowledge.router import Reply, route
from knowledge.router.decide import PLAN_INTENT

logger = logging.getLogger(__name__)

TOKEN_KEY = "identity_token"
FORM = "instalment_plan_form"
PLAN_SLOTS = ("plan_claim", "plan_monthly_amount", "plan_confirm")

VERIFIED, MISSING, EXPIRED, INVALID = "verified", "missing", "expired", "invalid"


# --- seams (tests replace these) -------------------------------------------------------------


def current_settings():
    return get_settings()


def ledger_factory():
    return ledger.session_factory()


# --- identity --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    state: str
    citizen_ref: Optional[str] = None

    @property
    def verified(self) -> bool:
        return self.state == VERIFIED and bool(self.citizen_ref)


def identify(tracker: Tracker) -> Identity:
    """The verified citizen of this message, or why there is none."""
    metadata = (tracker.latest_message or {}).get("metadata")
    token = metadata.get(TOKEN_KEY) if isinstance(metadata, dict) else None
    if token is None or token == "":
        return Identity(MISSING)
    try:
        verified = verify_token(token, str(tracker.sender_id or ""), current_settings())
    except IdentityError as exc:
        logger.info("identity token refused: %s", exc.reason)
        return Identity(EXPIRED if exc.reason == Reason.EXPIRED else INVALID)
    return Identity(VERIFIED, verified.citizen_ref)


def identity_problem_text(identity: Identity, cpr_warned: bool = False) -> str:
    if identity.state == EXPIRED:
        return answers.LOGIN_EXPIRED
    if identity.state == INVALID:
        return answers.LOGIN_INVALID
    return answers.NOT_LOGGED_IN_AFTER_CPR if cpr_warned else answers.NOT_LOGGED_IN


async def load_overview(identity: Identity) -> Optional[ledger.Overview]:
    if not identity.verified:
        return None
    factory = ledger_factory()
    return await asyncio.to_thread(ledger.overview, factory, identity.citizen_ref)


async def verified_overview(
    dispatcher: CollectingDispatcher, tracker: Tracker
) -> Tuple[Identity, Optional[ledger.Overview]]:
    """The citizen's overview, or None after telling them why not (login)."""
    identity = identify(tracker)
    if not identity.verified:
        dispatcher.utter_message(text=identity_problem_text(identity, warned_about_cpr(dispatcher)))
        return identity, None
    overview = await load_overview(identity)
    if overview is None:  # a valid signature for a reference the ledger does not know
        dispatcher.utter_message(text=answers.LOGIN_INVALID)
        return Identity(INVALID), None
    return identity, overview


def personal_answer(tracker: Tracker, topic: str) -> Optional[str]:
    """For other actions (e.g. the FAQ on late payment/overpayment): the personalised answer
    for a verified citizen, or None (then answer generally). Blocking; topic is
    ``consequences`` or ``overpayment``."""
    identity = identify(tracker)
    if not identity.verified:
        return None
    overview = ledger.overview(ledger_factory(), identity.citizen_ref)
    if overview is None:
        return None
    if topic == "consequences":
        return answers.render_consequences(overview)
    if topic == "overpayment":
        return answers.render_overpayment(overview)
    return None


# --- balance, bill, payment id, consequences ---------------------------------------------------


def _follow_up_buttons(overview: ledger.Overview) -> List[Dict[str, str]]:
    pairs = []
    if any(c.is_open for c in overview.claims):
        pairs.append(("Betalings-ID (+71)", "/my_payment_id"))
        pairs.append(("Hvad sker der, hvis jeg ikke betaler?", '/my_balance{"account_topic":"consequences"}'))
    if overview.plan_eligible:
        pairs.append(("Søg om afdragsordning", "/apply_instalment_plan"))
    return buttons(pairs)


class ActionAccount(SafeAction):
    """my_balance, my_payment_id, login_help (and the ``account_topic`` buttons)."""

    def name(self) -> str:
        return "action_account"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        intent = latest_intent(tracker)
        if intent == "login_help":
            identity = identify(tracker)
            if identity.verified and await load_overview(identity) is not None:
                dispatcher.utter_message(text=answers.LOGGED_IN_HELP)
            else:
                dispatcher.utter_message(text=identity_problem_text(identity, warned_about_cpr(dispatcher)))
            return []
        _identity, overview = await verified_overview(dispatcher, tracker)
        if overview is None:
            return []
        bill_type = entity_value(tracker, "bill_type")
        topic = entity_value(tracker, "account_topic")
        if topic == "consequences":
            text = answers.render_consequences(overview, bill_type)
        elif topic == "overpayment":
            text = answers.render_overpayment(overview)
        elif intent == "my_payment_id":
            text = answers.render_payment_ids(overview, bill_type)
        elif bill_type:
            text = answers.render_bill_status(overview, bill_type)
        else:
            text = answers.render_overview(overview)
        dispatcher.utter_message(text=text, buttons=_follow_up_buttons(overview))
        return []


# --- instalment plan ---------------------------------------------------------------------------

_CANCEL = re.compile(r"^\s*(stop|stands|afbryd|annuller|annullér|fortryd|glem det|nej tak, stop)\W*$", re.I)
_YES = re.compile(r"^\s*(ja|jo|jep|jeps|yes|ok|okay|send|send den|ja tak|ja, send|ja send|gerne|bekræft)\W*(tak)?\W*$", re.I)
_NO = re.compile(r"^\s*(nej|nej tak|no|lad være|lad vaere|send ikke)\W*$", re.I)
_NUMBER = re.compile(r"-?\d[\d.,]*")


def parse_amount(text: str) -> Tuple[Optional[Decimal], Optional[str]]:
    """The monthly amount in ``text`` ("500", "1.000,50 kr. om måneden"), or an error code."""
    numbers = _NUMBER.findall(text or "")
    if len(numbers) != 1:
        return None, "not_a_number"
    raw = numbers[0].rstrip(".,")
    if raw.startswith("-"):
        return None, "not_positive"
    try:
        value = Decimal(raw) if re.fullmatch(r"\d+\.\d{1,2}", raw) else None
        if value is None:
            from knowledge.money import parse_danish_number

            value = parse_danish_number(raw)
    except (ValueError, InvalidOperation):
        return None, "not_a_number"
    if value != value.quantize(Decimal("0.01")):
        return None, "too_many_decimals"
    if value <= 0:
        return None, "not_positive"
    return value.quantize(Decimal("0.01")), None


def match_claim(overview: ledger.Overview, text: str) -> Optional[ledger.ClaimView]:
    """The plan-eligible claim the citizen picked: by claim number, list number or bill type."""
    eligible = overview.plan_eligible
    value = (text or "").strip()
    if not value:
        return None
    found = next((c for c in eligible if c.claim_no.upper() == value.upper()), None)
    if found:
        return found
    if value.isdigit() and 1 <= int(value) <= len(eligible):
        return eligible[int(value) - 1]
    from knowledge.issuers import find_issuer

    match = find_issuer(value)
    if match is not None:
        of_type = [c for c in eligible if c.bill_type == match.issuer.id]
        if len(of_type) == 1:
            return of_type[0]
    return None


def _confirm_value(value: Any) -> Optional[str]:
    if value in ("ja", True):
        return "ja"
    if value in ("nej", False):
        return "nej"
    text = str(value or "")
    if _YES.match(text):
        return "ja"
    if _NO.match(text) or _CANCEL.match(text):
        return "nej"
    return None


def _end_form(*extra: SlotSet) -> List[Dict[str, Any]]:
    return [*extra, SlotSet(REQUESTED_SLOT, None)]


def _plan_question(tracker: Tracker) -> Optional[Reply]:
    """The router's answer when the instalment-plan message is a question about plans ("hvad
    sker der, hvis en afdragsordning ikke overholdes?"), not an application; else None."""
    turn = read_turn(tracker)
    if turn.payload_intent:
        return None  # a button ("Ansøg om afdragsordning") applies
    # read as a plan message on its own: not a continuation of an open price question
    reply = route(replace(turn, intent=PLAN_INTENT, reply=None, context=None,
                          ranking=turn.ranking or ((PLAN_INTENT, 1.0),)))
    return None if reply.kind == "account" else reply


class ActionPlanStart(SafeAction):
    """Before the form: a question about plans is answered (the router); an application gets
    the form only for a verified citizen with an eligible claim."""

    def name(self) -> str:
        return "action_plan_start"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        clear = [SlotSet(slot, None) for slot in PLAN_SLOTS]
        question = _plan_question(tracker)
        if question is not None:
            dispatcher.utter_message(text=question.text, buttons=buttons(question.buttons))
            send_answer_flag(dispatcher, question)
            return [*clear, SlotSet("plan_allowed", False), SlotSet("answer_kind", question.kind)]
        _identity, overview = await verified_overview(dispatcher, tracker)
        if overview is None:
            return [*clear, SlotSet("plan_allowed", False)]
        if not overview.plan_eligible:
            dispatcher.utter_message(text=answers.PLAN_NOTHING_ELIGIBLE)
            return [*clear, SlotSet("plan_allowed", False)]
        # "afdragsordning på ejendomsskatten": pre-select when it names exactly one claim.
        bill_type = entity_value(tracker, "bill_type")
        of_type = [c for c in overview.plan_eligible if bill_type and c.bill_type == bill_type]
        if len(of_type) == 1:
            clear[0] = SlotSet("plan_claim", of_type[0].claim_no)
        return [*clear, SlotSet("plan_allowed", True)]


class ValidateInstalmentPlanForm(SafeAction):
    """Validates the form's slots against the verified citizen's own claims.

    Ends the form (requested_slot None) when the identity is gone or the citizen cancels;
    a bad value is set back to None with a Danish re-prompt, so the form asks again.
    """

    def name(self) -> str:
        return "validate_instalment_plan_form"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        identity = identify(tracker)
        overview = await load_overview(identity)
        if overview is None or not overview.plan_eligible:
            return _end_form(*(SlotSet(slot, None) for slot in PLAN_SLOTS))
        if (tracker.active_loop or {}).get("name") == FORM and _CANCEL.match(latest_text(tracker)):
            return _end_form(SlotSet("plan_confirm", "nej"))
        candidates = tracker.slots_to_validate()
        current = {slot: tracker.get_slot(slot) for slot in PLAN_SLOTS}
        events: List[Dict[str, Any]] = []

        claim = None
        if current["plan_claim"] is not None:
            claim = match_claim(overview, str(current["plan_claim"]))
            if claim is None:
                if "plan_claim" in candidates:
                    dispatcher.utter_message(text=answers.PLAN_BAD_CLAIM)
                events.append(SlotSet("plan_claim", None))
                events += [SlotSet("plan_monthly_amount", None), SlotSet("plan_confirm", None)]
                return events
            if claim.claim_no != current["plan_claim"]:
                events.append(SlotSet("plan_claim", claim.claim_no))

        amount_text = current["plan_monthly_amount"]
        if amount_text is not None:
            if claim is None:
                events.append(SlotSet("plan_monthly_amount", None))
            else:
                amount, problem = parse_amount(str(amount_text))
                if problem is None:
                    problem = ledger.check_monthly_amount(claim, amount)
                if problem:
                    message = answers.AMOUNT_ERRORS[problem].format(outstanding=answers.kr(claim.outstanding))
                    dispatcher.utter_message(text=message)
                    events += [SlotSet("plan_monthly_amount", None), SlotSet("plan_confirm", None)]
                    return events
                if str(amount) != amount_text:
                    events.append(SlotSet("plan_monthly_amount", str(amount)))

        confirm = current["plan_confirm"]
        if confirm is not None:
            value = _confirm_value(confirm)
            if value is None:
                dispatcher.utter_message(text=answers.PLAN_BAD_CONFIRM)
                events.append(SlotSet("plan_confirm", None))
            elif value != confirm:
                events.append(SlotSet("plan_confirm", value))
            if value == "nej":
                events.append(SlotSet(REQUESTED_SLOT, None))
        return events


def _claim_from_slots(overview: ledger.Overview, tracker: Tracker) -> Optional[ledger.ClaimView]:
    value = tracker.get_slot("plan_claim")
    return match_claim(overview, str(value)) if value else None


class ActionAskPlanClaim(SafeAction):
    def name(self) -> str:
        return "action_ask_plan_claim"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        _identity, overview = await verified_overview(dispatcher, tracker)
        if overview is None:
            return []
        choices = [(answers.plan_claim_title(c), c.claim_no) for c in overview.plan_eligible]
        dispatcher.utter_message(text=answers.PLAN_ASK_CLAIM, buttons=buttons(choices))
        return []


class ActionAskPlanMonthlyAmount(SafeAction):
    def name(self) -> str:
        return "action_ask_plan_monthly_amount"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        _identity, overview = await verified_overview(dispatcher, tracker)
        if overview is None:
            return []
        claim = _claim_from_slots(overview, tracker)
        if claim is None:
            dispatcher.utter_message(text=answers.PLAN_BAD_CLAIM)
            return [SlotSet("plan_claim", None)]
        dispatcher.utter_message(text=answers.ask_monthly_amount(claim))
        return []


class ActionAskPlanConfirm(SafeAction):
    def name(self) -> str:
        return "action_ask_plan_confirm"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        _identity, overview = await verified_overview(dispatcher, tracker)
        if overview is None:
            return []
        claim = _claim_from_slots(overview, tracker)
        amount, problem = parse_amount(str(tracker.get_slot("plan_monthly_amount") or ""))
        if claim is None or problem:
            dispatcher.utter_message(text=answers.PLAN_BAD_CLAIM)
            return [SlotSet("plan_claim", None), SlotSet("plan_monthly_amount", None)]
        dispatcher.utter_message(
            text=answers.ask_confirm(claim, amount),
            buttons=buttons([("Ja, send ansøgningen", "/affirm"), ("Nej", "/deny")]),
        )
        return []


class ActionSubmitInstalmentPlan(SafeAction):
    """Stores the application once (idempotency key: conversation + claim + amount)."""

    def name(self) -> str:
        return "action_submit_instalment_plan"

    async def respond(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        clear = [SlotSet(slot, None) for slot in PLAN_SLOTS] + [SlotSet("plan_allowed", None)]
        identity, overview = await verified_overview(dispatcher, tracker)
        if overview is None:
            return clear
        if _confirm_value(tracker.get_slot("plan_confirm")) != "ja":
            if not overview.plan_eligible:
                dispatcher.utter_message(text=answers.PLAN_NOTHING_ELIGIBLE)
            else:
                dispatcher.utter_message(text=answers.PLAN_CANCELLED)
            return clear
        claim_no = str(tracker.get_slot("plan_claim") or "")
        amount, problem = parse_amount(str(tracker.get_slot("plan_monthly_amount") or ""))
        if problem or not claim_no:
            dispatcher.utter_message(text=answers.PLAN_ERRORS["unknown_claim"])
            return clear
        key = ledger.idempotency_key(str(tracker.sender_id), claim_no, amount)
        try:
            result = await asyncio.to_thread(
                ledger.apply_for_plan, ledger_factory(), identity.citizen_ref, claim_no, amount, key
            )
        except ledger.PlanError as exc:
            text = answers.PLAN_ERRORS.get(exc.code) or answers.AMOUNT_ERRORS.get(exc.code, "")
            claim = overview.claim(claim_no)
            outstanding = answers.kr(claim.outstanding) if claim else ""
            dispatcher.utter_message(text=text.format(outstanding=outstanding))
            return clear
        claim = overview.claim(result.claim_no)
        description = claim.description if claim else result.claim_no
        dispatcher.utter_message(text=answers.plan_received(description, result.monthly_amount, result.created))
        return clear
