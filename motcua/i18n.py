"""Domain errors in the reader's language.

The core writes its messages in Vietnamese with `{name}` placeholders for the values (see
`motcua.core.errors`); here they, and the labels among the values, are looked up in the
active language's catalogue, then filled. In Vietnamese nothing changes.
"""

from __future__ import annotations

from django.utils.translation import gettext

from motcua.core.errors import DomainError, expand, fill


def error_text(exc: DomainError) -> str:
    """The error's message in the active language."""
    values = {
        name: gettext(value) if isinstance(value, str) and value else value
        for name, value in exc.details.items()
    }
    return fill(gettext(exc.template), expand(values))
