"""Danish answers about the citizen's own ledger (plain text, testable without Rasa).

Every sentence about fees, Gældsstyrelsen, NemKonto and phone numbers restates the seed
``000_88859510c15c3961.txt``; amounts come from :mod:`core.ledger`. The citizen's CPR number
is never part of an answer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Dict, Iterable, List, Optional

from core.ledger import (
    PROPERTY_SEQUENCE,
    ClaimView,
    Overview,
    fee_for,
    months_needed,
)
from knowledge.money import format_kr

PHONE = "5667 2450"
SOURCE_LATE = "Kilde: Opkrævningen, Køge Kommune – «Hvad sker der, hvis jeg ikke betaler til tiden»"
SOURCE_OVERPAID = "Kilde: Opkrævningen, Køge Kommune – «Hvad skal jeg gøre, hvis jeg har betalt for meget»"

MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)
REMINDER_NAMES = {
    "rykker": "en rykker",
    "varsling": "en varsling",
    "underretning_udlaeg": "en underretning om udlæg",
}

# --- identity ------------------------------------------------------------------------------

_LOGIN_PITCH = (
    "For at se dine egne regninger skal du logge ind med MitID via knappen «Log ind» i chatten. "
    "Når du er logget ind, kan jeg vise dine ventende og forfaldne betalinger, dit betalings-ID "
    "(+71-linjen), om du har betalt for meget, og du kan søge om en afdragsordning her i chatten.\n\n"
)
_OTHER_WAYS = f"Du kan også se dine betalinger i «Mit Betalingsoverblik» eller ringe til Opkrævningen på tlf. {PHONE}."
NOT_LOGGED_IN = _LOGIN_PITCH + "Skriv ikke dit CPR-nummer i chatten – jeg bruger det ikke. " + _OTHER_WAYS
# The same after CPR_IN_CHAT in the same turn (the citizen has just been told about the CPR number).
NOT_LOGGED_IN_AFTER_CPR = _LOGIN_PITCH + _OTHER_WAYS
LOGIN_EXPIRED = "Din log-ind er udløbet – log venligst ind igen med knappen «Log ind» i chatten."
LOGIN_INVALID = "Din log-ind kunne ikke bekræftes – log venligst ind igen med knappen «Log ind» i chatten."
LOGGED_IN_HELP = (
    "Du er logget ind. Spørg fx «hvad skylder jeg?», «hvad er mit betalings-ID?», "
    "«hvad sker der, hvis jeg ikke betaler?» eller «jeg vil søge om afdragsordning»."
)
CPR_IN_CHAT = (
    "Du behøver ikke skrive dit CPR-nummer – jeg bruger aldrig et CPR-nummer fra chatten til at finde "
    "dine oplysninger. Log ind med knappen «Log ind» i chatten i stedet."
)


@lru_cache(maxsize=1)
def _bill_labels() -> Dict[str, str]:
    from knowledge.issuers import load_issuers

    return {issuer.id: issuer.bill_type for issuer in load_issuers()}


def bill_label(bill_type: str) -> str:
    return _bill_labels().get(bill_type, bill_type)


def danish_date(value: date) -> str:
    return f"{value.day}. {MONTHS[value.month - 1]} {value.year}"


def kr(value: Decimal) -> str:
    return format_kr(value)


def _claim_head(claim: ClaimView) -> str:
    return f"{claim.description} ({claim.office})"


def _claim_amount(claim: ClaimView) -> str:
    parts = [kr(claim.amount)]
    if claim.fees:
        parts.append(f"gebyrer {kr(claim.fees)}")
    text = " + ".join(parts)
    if claim.paid:
        text += f" − betalt {kr(claim.paid)}"
    if claim.fees or claim.paid:
        text += f" = {kr(claim.outstanding)}"
    return text


def _claim_line(claim: ClaimView, today: date) -> str:
    if claim.status == "overdue":
        when = f"forfaldt {danish_date(claim.due_date)}"
    elif claim.status == "pending":
        when = f"betales senest {danish_date(claim.due_date)}"
    elif claim.status == "in_plan":
        when = "i afdragsordning"
    else:
        when = "betalt"
    reminders = ""
    if claim.reminders:
        names = ", ".join(REMINDER_NAMES[r.kind].split(" ", 1)[1] for r in claim.reminders)
        reminders = f" (sendt: {names})"
    return f"• {_claim_head(claim)}: {_claim_amount(claim)}, {when}{reminders}"


def _credit_text(claims: Iterable[ClaimView]) -> List[str]:
    lines = []
    for claim in claims:
        lines.append(f"• {_claim_head(claim)}: du har betalt {kr(claim.credit)} for meget.")
    if lines:
        lines.append(
            f"Kontakt Opkrævningen på tlf. {PHONE}, så udbetaler vi beløbet til din NemKonto inden for 3-5 bankdage."
        )
    return lines


def render_overview(ov: Overview) -> str:
    """Balance overview: overdue and pending claims with totals and the next due date."""
    out = [f"Du er logget ind som {ov.name}."]
    if not ov.overdue and not ov.pending and not ov.in_plan:
        out.append("Du har ingen ubetalte regninger hos Køge Kommune lige nu.")
    if ov.overdue:
        out.append("\nForfaldne betalinger (manglende):")
        out += [_claim_line(c, ov.today) for c in ov.overdue]
        out.append(f"I alt forfaldent: {kr(ov.overdue_total)}")
    if ov.pending:
        out.append("\nVentende betalinger:")
        out += [_claim_line(c, ov.today) for c in ov.pending]
        out.append(f"I alt ventende: {kr(ov.pending_total)}")
    if ov.in_plan:
        out.append("\nI afdragsordning:")
        out += [_claim_line(c, ov.today) for c in ov.in_plan]
        out.append(f"Restgæld i afdragsordning: {kr(ov.in_plan_total)}")
    if ov.next_due is not None:
        nxt = ov.next_due
        out.append(
            f"\nNæste betalingsdato: {danish_date(nxt.due_date)} ({nxt.description}, {kr(nxt.outstanding)})."
        )
    credits = _credit_text(ov.credits)
    if credits:
        out.append("\nTilgodehavende:")
        out += credits
    if ov.overdue:
        out.append(
            f"\nKan du ikke betale, så ring til Opkrævningen på tlf. {PHONE}, eller skriv «afdragsordning» "
            "for at søge om en afdragsordning."
        )
    return "\n".join(out)


def render_bill_status(ov: Overview, bill_type: str) -> str:
    """The status of the citizen's claims of one bill type."""
    label = bill_label(bill_type)
    claims = ov.of_type(bill_type)
    if not claims:
        return f"Jeg kan ikke se nogen regninger for {label.lower()} på dig."
    out = [f"Dine regninger for {label.lower()}:"]
    out += [_claim_line(c, ov.today) for c in claims]
    credits = _credit_text(c for c in claims if c.credit > 0)
    if credits:
        out += credits
    return "\n".join(out)


def render_payment_ids(ov: Overview, bill_type: Optional[str] = None) -> str:
    """Betalings-ID / FI line (+71) of the unpaid claims (of one bill type, if given)."""
    claims = [c for c in ov.claims if c.is_open and (bill_type is None or c.bill_type == bill_type)]
    if not claims:
        if bill_type:
            return f"Du har ingen ubetalte regninger for {bill_label(bill_type).lower()}, så der er intet betalings-ID at vise."
        return "Du har ingen ubetalte regninger, så der er intet betalings-ID at vise."
    out = ["Betalings-ID (FI-kort, kortart 71) til dine ubetalte regninger:"]
    for c in claims:
        if c.fi_line:
            out.append(
                f"• {_claim_head(c)}, {kr(c.outstanding)}: {c.fi_line}\n"
                f"  (kortart 71, betalings-ID {c.payment_id}, kreditornummer {c.creditor_no})"
            )
        else:
            out.append(f"• {_claim_head(c)}, {kr(c.outstanding)}: intet betalings-ID registreret – "
                       f"ring til Opkrævningen på tlf. {PHONE}.")
    out.append("Du kan også betale i «Mit Betalingsoverblik», i din netbank eller med MobilePay.")
    return "\n".join(out)


def _next_steps(claim: ClaimView) -> str:
    sent = [r.kind for r in claim.reminders]
    if claim.on_property:
        remaining = [k for k in PROPERTY_SEQUENCE if k not in sent]
        if remaining:
            steps = ", derefter ".join(
                f"{REMINDER_NAMES[k]} med et gebyr på {kr(fee_for(k, claim.civil_law))}" for k in remaining
            )
            extra = sum((fee_for(k, claim.civil_law) for k in remaining), Decimal("0.00"))
            text = f"Næste skridt er {steps} (i alt {kr(extra)} i gebyrer mere)."
        else:
            text = "Du har allerede fået rykker, varsling og underretning om udlæg."
        return (
            f"{text} Til sidst kan kommunens pantefoged foretage udlæg i din ejendom – også selv om du ikke er "
            "til stede – og kommunen kan via sin advokat få ejendommen sat til salg på tvangsauktion."
        )
    fee = fee_for("rykker", claim.civil_law)
    civil = " (et civilretligt krav)" if claim.civil_law else ""
    count = sent.count("rykker")
    if count:
        return (f"Du har fået {count} rykker{'e' if count > 1 else ''}{civil}. "
                f"Hver rykker koster et rykkergebyr på {kr(fee)}")  # "250,00 kr." ends the sentence
    ending = f"{civil}." if civil else ""  # no "kr.." when the amount ends the sentence
    return f"Betaler du ikke til tiden, sender Opkrævningen en rykker med et rykkergebyr på {kr(fee)}{ending}"


def claim_line(claim: ClaimView, today: date) -> str:
    """One claim in the very words of the citizen's overview (without the bullet), for the
    staff console: what the citizen saw when they asked the bot."""
    return _claim_line(claim, today).lstrip("• ")


def next_steps(claim: ClaimView) -> str:
    """What the bot tells the citizen happens next if the claim stays unpaid (reminders sent,
    the fees of the steps still to come)."""
    return _next_steps(claim)


def reminder_label(kind: str) -> str:
    """``"varsling"`` -> ``"Varsling"``, ``"underretning_udlaeg"`` -> ``"Underretning om udlæg"``."""
    name = REMINDER_NAMES[kind].split(" ", 1)[1]
    return name[:1].upper() + name[1:]


def render_consequences(ov: Overview, bill_type: Optional[str] = None) -> str:
    """"Hvad sker der, hvis jeg ikke betaler?" for the citizen's own unpaid claims."""
    claims = [
        c for c in ov.claims
        if c.status in ("overdue", "pending") and c.outstanding > 0 and (bill_type is None or c.bill_type == bill_type)
    ]
    if not claims:
        return (
            "Du har ingen ubetalte regninger, der er ved at forfalde eller er forfaldne, så der kommer ingen rykker.\n\n"
            f"{SOURCE_LATE}"
        )
    out = ["Sådan går det, hvis du ikke betaler dine regninger:"]
    for c in claims:
        state = "forfalden" if c.status == "overdue" else f"betales senest {danish_date(c.due_date)}"
        out.append(f"\n• {_claim_head(c)}, {kr(c.outstanding)} ({state}): {_next_steps(c)}")
        if c.bill_type == "ejendomsskat":
            out.append("  Ved for sen betaling af ejendomsskat beregnes der lovpligtige renter.")
    out.append(
        "\nBetaler du stadig ikke, bliver kravet sendt til Gældsstyrelsen, og det betyder ekstra omkostninger: "
        "Gældsstyrelsen opkræver egne gebyrer og renter."
    )
    out.append(
        f"\nKan du ikke betale, så ring til Opkrævningen på tlf. {PHONE}, inden betalingsdatoen er overskredet, "
        "eller skriv «afdragsordning» for at søge om en afdragsordning."
    )
    out.append(f"\n{SOURCE_LATE}")
    return "\n".join(out)


def render_overpayment(ov: Overview) -> str:
    if not ov.credits:
        return ("Jeg kan ikke se, at du har betalt for meget på nogen af dine regninger. "
                f"Mener du, at du har, kan du ringe til Opkrævningen på tlf. {PHONE}.\n\n{SOURCE_OVERPAID}")
    return "\n".join(["Du har betalt for meget:"] + _credit_text(ov.credits) + ["", SOURCE_OVERPAID])


# --- instalment plan -----------------------------------------------------------------------

PLAN_NOTHING_ELIGIBLE = (
    "Du har ingen ubetalte regninger, som du kan søge om afdragsordning på her i chatten. "
    f"Har du spørgsmål, kan du ringe til Opkrævningen på tlf. {PHONE}."
)
PLAN_CANCELLED = "Okay, jeg har ikke sendt nogen ansøgning om afdragsordning."
PLAN_ASK_CLAIM = "Hvilken regning vil du søge om afdragsordning på? Vælg herunder, eller skriv nummeret."
PLAN_BAD_CLAIM = "Den regning kan jeg ikke finde blandt dem, du kan søge afdragsordning på. Vælg en af knapperne, eller skriv «stop»."
PLAN_BAD_CONFIRM = "Svar venligst «ja» for at sende ansøgningen eller «nej» for at lade være."

AMOUNT_ERRORS = {
    "not_a_number": "Jeg kunne ikke læse beløbet. Skriv det månedlige beløb i kroner, fx «500» eller «1.000,50».",
    "too_many_decimals": "Beløbet må højst have to decimaler (øre). Skriv fx «750,50».",
    "not_positive": "Det månedlige beløb skal være større end 0 kr.",
    "more_than_outstanding": "Det månedlige beløb kan ikke være større end det, du skylder på regningen ({outstanding}).",
}

PLAN_ERRORS = {
    "unknown_claim": "Den regning kan jeg ikke finde på dig, så jeg har ikke sendt nogen ansøgning.",
    "unknown_citizen": LOGIN_INVALID,
    "not_eligible": "Den regning kan du ikke søge om afdragsordning på her i chatten. "
                    f"Ring til Opkrævningen på tlf. {PHONE}.",
    "already_applied": "Du har allerede søgt om afdragsordning på den regning. Ansøgningen er under behandling. "
                       f"Har du spørgsmål, kan du ringe til Opkrævningen på tlf. {PHONE}.",
}


def plan_claim_title(claim: ClaimView) -> str:
    return f"{claim.description} – {kr(claim.outstanding)}"


def ask_monthly_amount(claim: ClaimView) -> str:
    return (f"Du skylder {kr(claim.outstanding)} på {claim.description}. "
            "Hvor meget vil du betale om måneden? Skriv beløbet i kroner.")


def ask_confirm(claim: ClaimView, monthly: Decimal) -> str:
    months = months_needed(claim.outstanding, monthly)
    return (
        f"Du søger om at betale {kr(monthly)} om måneden på {claim.description} "
        f"(restbeløb {kr(claim.outstanding)}, ca. {months} måned{'er' if months != 1 else ''}). "
        "Skal jeg sende ansøgningen til Opkrævningen?"
    )


def plan_received(claim_description: str, monthly: Decimal, created: bool) -> str:
    first = ("Tak – din ansøgning om afdragsordning er modtaget" if created
             else "Din ansøgning om afdragsordning var allerede modtaget")
    return (
        f"{first}: {kr(monthly)} om måneden på {claim_description}.\n\n"
        "Bemærk: Det er en ansøgning, ikke en godkendelse. Opkrævningen behandler ansøgningen, og "
        "afdragsordningen gælder først, når den er godkendt. "
        f"Har du spørgsmål, kan du ringe til Opkrævningen på tlf. {PHONE}."
    )
