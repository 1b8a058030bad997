"""Logging for the gateway process: CPR-like numbers are masked in every record.

:class:`CprMaskingFilter` rewrites the formatted message (and any exception text) of each
record with :func:`core.identity.mask_cpr`, so a CPR number a citizen typed cannot end up in
a log file even when a handler forgets to mask it itself.
"""

from __future__ import annotations

import logging

from core.identity import mask_cpr

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class CprMaskingFilter(logging.Filter):
    """Mask CPR-like numbers in the message, its arguments and the traceback text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string is not ours to fix here
            return True
        record.msg, record.args = mask_cpr(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_cpr(record.exc_text)
        return True


def configure(level: str = "INFO") -> None:
    """Root logging to stderr with CPR masking on every handler."""
    logging.basicConfig(level=level.upper(), format=FORMAT)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, CprMaskingFilter) for f in handler.filters):
            handler.addFilter(CprMaskingFilter())
