"""The one family of domain errors; each carries a stable code and a Vietnamese message.

Messages are written in Vietnamese, marked with `_` so that makemessages lists them, and
translated by the interface (`motcua.i18n.error_text`), never here: the core does
not know the reader's language. Values go in as named details and are put into the message
with `{name}` placeholders, so that a translation can place them too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence


def _(message: str) -> str:
    """Mark a message for translation; it is returned unchanged."""
    return message


class Text(str):
    """A detail that is itself text for the reader: a label, or a reason put inside the
    message, with `{name}` placeholders of its own. The interface translates these details;
    every other value (what the person typed, a code) is shown exactly as it is."""


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: Mapping[str, object]) -> str:
    """The template with each `{name}` replaced by that value. Nothing else is interpreted
    (no attributes, indexes or format specs, whatever a value or a translation contains),
    and a placeholder without a value is left as it is."""
    return _PLACEHOLDER.sub(lambda m: str(values[m[1]]) if m[1] in values else m[0], template)


def expand(details: Mapping[str, object]) -> dict[str, object]:
    """The details as a message shows them: a `Text` detail is filled from the others."""
    return {k: fill(v, details) if isinstance(v, Text) else v for k, v in details.items()}


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        self.template = message
        self.details = details
        self.message = fill(message, expand(details))
        super().__init__(self.message)

    def as_dict(self) -> dict[str, object]:
        """The structured form used by the API and logs."""
        return {"code": self.code, "message": self.message, "details": self.details}

    def problems(self) -> tuple[DomainError, ...]:
        """Each problem this error reports, for an interface to show beside its field."""
        return (self,)


class ValidationError(DomainError):
    code = "invalid"


class InvalidInput(ValidationError):
    """Several problems with one input at once, each a ValidationError naming its `field`,
    so that a form can mark every field in one answer instead of one error per attempt."""

    def __init__(self, errors: Sequence[ValidationError]) -> None:
        if not errors:
            raise ValueError("InvalidInput needs at least one error")
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(first.template, **first.details)

    def problems(self) -> tuple[DomainError, ...]:
        return self.errors

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "errors": [e.as_dict() for e in self.errors]}


class CalendarRangeError(DomainError):
    code = "calendar_range"


class TransitionError(DomainError):
    """The action is not allowed in the dossier's current state."""

    code = "transition_not_allowed"


class GuardError(TransitionError):
    """The action is allowed in this state, but one of its conditions is not met."""

    code = "guard_failed"


class PermissionDenied(DomainError):
    code = "forbidden"


class ConflictError(DomainError):
    """Someone else changed the dossier first (stale version)."""

    code = "conflict"


class NotFound(DomainError):
    code = "not_found"


class TooManyTries(DomainError):
    """Too many wrong tries in a while: refused until `retry_after` seconds have passed."""

    code = "too_many_tries"


class NotAuthenticated(DomainError):
    """The request does not say who it is from, or says it with a key nobody holds (401)."""

    code = "unauthenticated"


class MethodNotAllowed(DomainError):
    """The address exists, but not for this method (405)."""

    code = "method_not_allowed"


class ServerFault(DomainError):
    """Something failed on our side; the request may be retried (500)."""

    code = "server_error"
