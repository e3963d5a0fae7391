"""The interface language: Vietnamese unless the person chose English with the switcher."""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Like Django's LocaleMiddleware, but the browser's Accept-Language is not asked.

    Many officers' and citizens' browsers are installed in English; a Vietnamese public
    service still speaks Vietnamese to them until they pick another language, which the
    switcher in base.html stores in the language cookie.
    """

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(chosen_language(request.COOKIES))
        request.LANGUAGE_CODE = translation.get_language()


def chosen_language(cookies: Mapping[str, str]) -> str:
    """The language the visitor chose with the switcher, else Vietnamese."""
    chosen = cookies.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
