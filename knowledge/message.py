"""One normaliser for what citizens type, before the NLU and before any search.

People paste text from web pages and e-mails: ``<b>hvad koster rusefiskeri</b>``, a link to
the municipality's page, ``**fed**`` markdown, ``&amp;``, "!!!!" or "????", zero-width spaces.
:func:`clean_message` removes the markup and keeps the words, so that every channel (the
widget, Rasa's REST channel, the tests) reaches the same intent and the same price row:
the Rasa component ``MessageCleaner`` rewrites the message text with it first in the
pipeline, and the actions read the citizen's words through it too.

Button payloads (``/faq_pay``, ``/ask_price{"tariff_reply": …}``) are left as they are.
Plain Python, no Rasa.
"""

from __future__ import annotations

import html
import re
import unicodedata

MAX_CHARS = 2000  # a longer message is cut: no citizen question needs more

_PAYLOAD_RE = re.compile(r"^/[a-z_]+(\{.*\})?$", re.DOTALL)
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?>")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT_RE = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_MD_LINK_RE = re.compile(r"\[([^\]]{1,200})\]\((?:[^)\s]{1,500})\)")
_MD_MARK_RE = re.compile(r"(\*\*|__|~~|`+)")
_MD_EMPH_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,200}?)(?<=\S)\*(?![\w*])")
_REPEATED_PUNCT_RE = re.compile(r"([!?.,;:])(?:\s*\1)+")
_MIXED_PUNCT_RE = re.compile(r"[!?]{2,}")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_WS_RE = re.compile(r"[ \t\f\v\u00a0]+")
_SPACE_BEFORE_PUNCT_RE = re.compile(r"\s+([!?,;:](?!\S)|\.(?!\S))")


def is_payload(text: str) -> bool:
    """A button payload ("/faq_pay", "/ask_price{…}") rather than typed words."""
    return bool(_PAYLOAD_RE.match((text or "").strip()))


def clean_message(text: str) -> str:
    """The citizen's words without markup, links, repeated punctuation or invisible characters.

    ``<b>hvad koster rusefiskeri</b>!!!`` -> ``hvad koster rusefiskeri!``. An e-mail address
    the citizen writes is kept (a question may be about one); a web address is dropped (the
    words around it carry the question). Payloads pass through unchanged.
    """
    if not text:
        return ""
    if is_payload(text):
        return text.strip()
    text = unicodedata.normalize("NFC", text[: MAX_CHARS * 2]).translate(_ZERO_WIDTH)
    text = _SCRIPT_RE.sub(" ", text)
    text = _COMMENT_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    text = html.unescape(text)
    text = _TAG_RE.sub(" ", text)  # "&lt;b&gt;" written out becomes a tag only now
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub(" ", text)
    text = _MD_EMPH_RE.sub(r"\1", text)
    text = _MD_MARK_RE.sub(" ", text)
    text = _MIXED_PUNCT_RE.sub(lambda m: "?" if "?" in m.group() else "!", text)
    text = _REPEATED_PUNCT_RE.sub(r"\1", text)
    text = "".join(ch if unicodedata.category(ch)[0] != "C" or ch == "\n" else " " for ch in text)
    lines = [_WS_RE.sub(" ", line).strip() for line in text.split("\n")]
    text = " ".join(line for line in lines if line)
    text = _SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)
    return text[:MAX_CHARS].strip()


def has_email(text: str) -> bool:
    return bool(_EMAIL_RE.search(text or ""))
