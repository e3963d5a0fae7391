"""A logging filter that masks ID and phone numbers in every record it sees (issue 11): a
message, its arguments, and a request line quoting a query string alike. Installed on the
handlers in settings.LOGGING, so records of every logger pass through it."""

from __future__ import annotations

import logging

from motcua.core.privacy import mask_numbers


class MaskNumbers(logging.Filter):
    """Rewrite the record's message with its numbers masked (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        return True
