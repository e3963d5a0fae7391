"""The core's labels for codes stored in rows, in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

from motcua.core.blame import OUTCOME_LABELS
from motcua.core.lifecycle import ACTION_LABELS, STATUS_LABELS, Action, Status

register = template.Library()


@register.filter
def action_label(value: str) -> str:
    """An event's action by name; a name this version no longer knows stays as stored."""
    try:
        return gettext(ACTION_LABELS[Action(value)])
    except ValueError:
        return value


@register.filter
def status_label(value: int | None) -> str:
    """A status code's name ("" for none)."""
    return gettext(STATUS_LABELS[Status(value)]) if value else ""


@register.filter
def outcome_label(value: str) -> str:
    """Form 06's verdict on a hand-over; a step with none is still in progress."""
    return gettext(OUTCOME_LABELS.get(value, STATUS_LABELS[Status.PROCESSING]))
