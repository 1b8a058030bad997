"""Every Danish text the gateway itself shows a citizen, in one place.

The bot's own answers live in Rasa's domain and in ``knowledge/``; these are only the
gateway's words: input problems, errors, limits and the session notice. The widget keeps
its few interface labels at the top of ``static/widget.js`` (a test checks that the texts
both sides share stay identical).
"""

from __future__ import annotations

OFFICE_PHONE = "5667 2450"

# --- replies shown as a bot message (HTTP 200) ------------------------------------------
EMPTY_MESSAGE = "Skriv gerne dit spørgsmål, så hjælper jeg."
TOO_LONG = (
    "Dit spørgsmål er desværre for langt til mig. Prøv at skrive det kortere, "
    "højst {limit} tegn, gerne med det vigtigste først."
)
TECHNICAL_ERROR = (
    "Beklager, jeg kan ikke svare lige nu på grund af en teknisk fejl. Prøv igen om lidt, "
    f"eller ring til Opkrævningen på tlf. {OFFICE_PHONE}."
)
NO_ANSWER = (
    "Det har jeg desværre ikke et svar på. Prøv at skrive spørgsmålet på en anden måde, "
    f"eller ring til Opkrævningen på tlf. {OFFICE_PHONE}."
)
SESSION_EXPIRED = (
    "Din tidligere samtale er udløbet, så jeg har startet en ny. "
    "Jeg kan ikke se, hvad vi skrev før, så stil gerne dit spørgsmål igen."
)

# Beginnings of the bot's fallback and handover answers (domain.yml: utter_handover,
# utter_handover_office, utter_did_you_mean, utter_default) and the gateway's NO_ANSWER:
# such an answer is logged as unanswered and the widget shows the phone number prominently.
GIVE_UP_MARKERS = (
    "Det kan jeg desværre ikke svare sikkert på",
    "Jeg er ikke helt sikker på, hvad du mener",
    "Undskyld, det forstod jeg ikke helt",
    "Det har jeg desværre ikke et svar på",
)

# --- login (demo MitID) and feedback ------------------------------------------------------
LOGGED_IN = "Du er nu logget ind som {name}. Spørg fx: \"Hvad skylder jeg?\""
LOGGED_OUT = "Du er logget ud."
FEEDBACK_THANKS = "Tak for din vurdering."
ERROR_UNKNOWN_MESSAGE = "Svaret kan ikke længere vurderes. Det er for gammelt eller fra en anden samtale."
ERROR_BAD_RATING = "Vurderingen skal være op eller ned."

# --- error bodies (``{"error": ...}`` with a 4xx status) ----------------------------------
ERROR_INVALID_JSON = "Beskeden kunne ikke læses. Genindlæs siden, og prøv igen."
ERROR_WRONG_TYPE = "Beskeden skal være tekst."
ERROR_CONTENT_TYPE = "Beskeden skal sendes som JSON."
ERROR_TOO_LARGE = "Beskeden er for stor. Prøv at skrive den kortere."
ERROR_FORBIDDEN = (
    "Beskeden blev afvist af sikkerhedshensyn. Genindlæs siden, og prøv igen."
)
ERROR_RATE_LIMITED = (
    "Du har sendt mange beskeder på kort tid. Vent et øjeblik, og prøv så igen."
)
ERROR_INTERNAL = "Der opstod en uventet fejl. Prøv igen om lidt."
ERROR_BAD_HOST = "Adressen hører ikke til denne tjeneste. Gå til chatten via kommunens hjemmeside."
ERROR_NEW_SESSIONS = (
    "Der startes mange nye samtaler fra din forbindelse lige nu. Vent et øjeblik, og prøv så igen."
)
# The embedded widget's login hand-over (bot/handover.py) failed: code used, too old or not ours.
ERROR_HANDOVER = "Login kunne ikke overføres til chatten på denne side. Prøv at logge ind igen."


def too_long(limit: int) -> str:
    """The "please write less" reply, with the limit written the Danish way (1.000)."""
    return TOO_LONG.format(limit=f"{limit:,}".replace(",", "."))
