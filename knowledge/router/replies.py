"""The router's own Danish replies: honest "the texts do not say", handovers to the right
office, Køge only, and the "Mente du …?" question. Facts in them come from the knowledge
modules (office names and phones from ``knowledge/issuers.yml``), never from here."""

from __future__ import annotations

from typing import Dict, FrozenSet, Optional, Sequence

from knowledge.issuers import Issuer, fallback_office

TEXTS = "Opkrævningens side og kommunens prisliste for 2024"
SUBJECT = "Opkrævningens side og prislisten for 2024"

# What the texts do not state, per aspect of a question (see signals.aspects_asked): the
# object of "… oplyser ikke …".
_MISSING: Dict[str, str] = {
    "hours": ", hvornår der er åbent",
    "rate": ", hvor høj renten er",
    "date": " den dato eller frist, du spørger om",
    "duration": ", hvor lang tid det tager",
    "email": " nogen mailadresse til kontoret",
    "amount": " en pris på det, du spørger om",
    "address": " nogen adresse til kontoret",
}
_ORDER = ("rate", "date", "hours", "duration", "email", "amount", "address")


def office_line(issuer: Optional[Issuer]) -> str:
    """ "ring til Affaldskontoret på tlf. 5667 2432" (Opkrævningen when no office is known)."""
    if issuer is not None and issuer.phone:
        return f"ring til {issuer.office_in_sentence} på tlf. {issuer.phone}"
    office = fallback_office()
    return f"ring til {office.office} på tlf. {office.phone}"


def missing_phrase(aspects: FrozenSet[str]) -> str:
    names = [a for a in _ORDER if a in aspects] or ["amount"]
    parts = [_MISSING[a] for a in names[:2]]
    return parts[0] + "".join(" eller" + p.lstrip(",") for p in parts[1:])


def unknown(aspects: FrozenSet[str], issuer: Optional[Issuer], related: str = "") -> str:
    """ "… oplyser ikke, hvor høj renten er. Vil du vide det, så ring til …" plus, when there
    is one, what the texts do say about the subject."""
    text = (f"{SUBJECT} oplyser ikke{missing_phrase(aspects)}. "
            f"Vil du vide det, så {office_line(issuer)}.")
    if related:
        text += f"\n\nDet, jeg kan fortælle om emnet:\n{related}"
    return text


_VALUE_MISSING = {"amount": "beløbet, du spørger om", "duration": "hvor lang tid det tager",
                  "count": "hvor mange gange det sker"}


def not_covered(words: Sequence[str], value: Optional[str], issuer: Optional[Issuer],
                related: str = "") -> str:
    """The question names the topic but asks what the texts do not say: a word they never use
    ("digital postkasse") or a value they do not give (Gældsstyrelsens gebyrer)."""
    if words:
        named = " og ".join(f"«{w}»" for w in list(dict.fromkeys(words))[:2])
        what = f"siger ikke noget om {named}"
    else:
        what = f"oplyser ikke {_VALUE_MISSING.get(value or 'amount')}"
    text = f"{SUBJECT} {what}. Vil du vide det, så {office_line(issuer)}."
    if related:
        text += f"\n\nDet, jeg kan fortælle om emnet:\n{related}"
    return text


def more_questions(answered: int) -> str:
    return (f"Jeg har svaret på de {answered} første spørgsmål. Skriv gerne de andre igen, "
            "ét ad gangen.")


NEXT_YEAR_BUTTON = "Se prisen for 2024"


def next_year(year: int, issuer: Optional[Issuer]) -> str:
    """A price for a later year: the list does not hold it (the 2024 price only on request)."""
    return (f"Prislisten gælder for 2024 og nævner ikke priserne for {year}. Vil du vide dem, "
            f"så {office_line(issuer)}. Prisen for 2024 kan du se med knappen.")


def office_handover(issuer: Issuer) -> str:
    """A question just outside the texts about a service whose office the issuer table names."""
    bill = issuer.bill_type.lower()
    if not issuer.phone:
        return (f"Det står ikke i {TEXTS}. Det handler om {bill}: se telefonnummeret på din "
                f"opkrævning, eller {office_line(None)}.")
    return (f"Det kan jeg desværre ikke svare på – det står ikke i {TEXTS}. "
            f"Det handler om {bill}, så {office_line(issuer)}. Dér kan de hjælpe dig.")


def general_handover() -> str:
    return (f"Det kan jeg desværre ikke svare sikkert på ud fra {TEXTS}. "
            f"{office_line(None)[0].upper()}{office_line(None)[1:]}, så hjælper en medarbejder dig.")


def out_of_scope() -> str:
    office = fallback_office()
    return ("Det kan jeg desværre ikke hjælpe med. Jeg kan svare på spørgsmål om Køge Kommunes "
            "regninger, betaling, rykkere, afdragsordninger og taksterne for 2024. Har du "
            f"spørgsmål til en regning, kan du ringe til {office.office} på tlf. {office.phone}.")


def koege_only(name: str) -> str:
    office = fallback_office()
    return (f"Jeg er Køge Kommunes assistent og kan kun svare for Køge Kommune – ikke for {name}. "
            f"Spørgsmål om regninger og priser i {name} skal du stille til kommunen dér. "
            f"Gælder det Køge Kommune, så skriv gerne spørgsmålet igen, eller ring til "
            f"{office.office} på tlf. {office.phone}.")


def smalltalk(intent: str) -> str:
    """Greeting, thanks, goodbye, "are you a robot", chit-chat and a lone yes/no."""
    office = fallback_office()
    texts = {
        "greet": ("Hej! Jeg er Opkrævningens automatiske assistent i Køge Kommune. Jeg kan svare "
                  "på spørgsmål om regninger, betaling, rykkere og kommunens takster for 2024. "
                  "Hvad kan jeg hjælpe med?"),
        "goodbye": "Farvel, og tak fordi du skrev. Du er altid velkommen tilbage.",
        "thank": "Selv tak! Skriv endelig, hvis der er mere, jeg kan hjælpe med.",
        "bot_challenge": ("Jeg er en automatisk assistent (en chatbot), ikke et menneske. Vil du "
                          f"tale med en medarbejder, kan du ringe til {office.office} på tlf. "
                          f"{office.phone}."),
        "chitchat": ("Jeg er en automatisk assistent, så jeg holder mig til regninger, betaling og "
                     "kommunens takster. Spørg mig fx: \"Hvordan betaler jeg min regning?\" eller "
                     "\"Hvad koster et pas?\""),
        "affirm": "Godt. Er der andet, jeg kan hjælpe med?",
        "deny": "Okay. Skriv gerne, hvis der er andet, jeg kan hjælpe med.",
    }
    return texts.get(intent, texts["chitchat"])


def empty() -> str:
    return ("Jeg fik ikke noget spørgsmål med. Skriv gerne, hvad du vil vide – fx \"Hvordan "
            "betaler jeg min regning?\" eller \"Hvad koster et pas?\"")


DID_YOU_MEAN = ("Jeg er ikke helt sikker på, hvad du mener. Jeg kan svare på spørgsmål om "
                "kommunens regninger, betaling, rykkere og takster. Mente du …?")
WHICH_ONE = "Hvilket af emnerne mente du? Vælg herunder."
NONE_OF_THEM = "Ingen af dem"
