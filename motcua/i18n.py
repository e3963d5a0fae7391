"""Domain errors in the reader's language.

The core writes its messages in Vietnamese with `{name}` placeholders for the values (see
`motcua.core.errors`); here they, and the `Text` details (labels, reasons), are looked up
in the active language's catalogue, then filled. In Vietnamese nothing changes.
"""

from __future__ import annotations

from django.utils.translation import gettext

from motcua.core.errors import DomainError, Text, expand, fill


def error_text(exc: DomainError) -> str:
    """The error's message in the active language (its `Text` details translated too)."""
    values = {
        name: Text(gettext(value)) if isinstance(value, Text) and value else value
        for name, value in exc.details.items()
    }
    return fill(gettext(exc.template), expand(values))
