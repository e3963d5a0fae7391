"""`{% words template values %}`: a sentence the core wrote (core.catalog.Words), stored as
its template and values, in the reader's language."""

from __future__ import annotations

from collections.abc import Mapping

from django import template
from django.utils.translation import gettext

from motcua.core.errors import fill

register = template.Library()


@register.simple_tag
def words(template_text: str, values: Mapping[str, object]) -> str:
    return fill(gettext(template_text), dict(values))
