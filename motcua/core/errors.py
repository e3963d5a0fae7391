"""The one family of domain errors; each carries a stable code and a Vietnamese message."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, object]:
        """The structured form used by the API and logs."""
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationError(DomainError):
    code = "invalid"


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
