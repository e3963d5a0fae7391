"""The dead-letter screen's inputs: the channel filter and the channel of a bulk replay."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.deadletters import channel_name


class ChannelFilterForm(forms.Form):
    """Which channel's dead letters to list (all when empty), and which page."""

    channel = forms.ChoiceField(label=_("Kênh"), required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def __init__(self, data: Any, *, channels: list[str]) -> None:
        super().__init__(data)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả")), *((c, _(channel_name(c))) for c in channels)]


class ChannelForm(forms.Form):
    """The channel whose dead letters are all sent again."""

    channel = forms.ChoiceField(label=_("Kênh"))

    def __init__(self, data: Any, *, channels: list[str]) -> None:
        super().__init__(data)
        field = self.fields["channel"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(c, _(channel_name(c))) for c in channels]
