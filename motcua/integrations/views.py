"""The dead-letter screen (/can-bo/tich-hop/): per channel of the outbox, how many messages
wait, retry or were given up; the given-up ones listed, each sent again or set aside, and a
channel's all sent again after an outage. Administrators only, with their second factor."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate, ParamSpec

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from motcua.adminlog.services import Who
from motcua.core.deadletters import channel_name
from motcua.core.errors import DomainError
from motcua.core.lifecycle import Role
from motcua.desk.access import StaffRequest, staff_required
from motcua.desk.middleware import SECOND_FACTOR, VERIFIED
from motcua.edge import client_address, status_for
from motcua.i18n import error_text
from motcua.integrations.forms import ChannelFilterForm, ChannelForm
from motcua.integrations.services import (
    dead_letter_discard,
    dead_letter_replay,
    dead_letters_replay_channel,
)
from motcua.notify.selectors import dead_letter_row, outbox_channels, outbox_counts
from motcua.notify.selectors import dead_letters as dead_letter_list

P = ParamSpec("P")
PAGE_SIZE = 50
TEMPLATE = "integrations/dead_letters.html"


def admin_only(
    view: Callable[Concatenate[StaffRequest, P], HttpResponse],
) -> Callable[Concatenate[StaffRequest, P], HttpResponse]:
    """An administrator whose session gave the second factor; anyone else gets a 403 page."""

    @wraps(view)
    def wrapper(request: StaffRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        if request.actor.role is not Role.ADMIN:
            message = _("Trang dành cho quản trị hệ thống.")
            return render(request, "integrations/refused.html", {"message": message}, status=403)
        if request.session.get(SECOND_FACTOR) != VERIFIED:
            message = _("Hãy đăng nhập lại với mã xác thực hai lớp để mở trang này.")
            return render(request, "integrations/refused.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return wrapper


def _who(request: StaffRequest) -> Who:
    return Who(
        source="integrations",
        user_id=request.user.pk,
        username=request.user.get_username(),
        address=client_address(request),
    )


def _list(request: StaffRequest, data: Any, *, error: DomainError | None = None) -> HttpResponse:
    """The screen, filtered by `data`'s channel; with a refusal's message and status."""
    channels = outbox_channels()
    form = ChannelFilterForm(data, channels=channels)
    valid = form.is_valid()
    channel = form.cleaned_data.get("channel", "") if valid else ""
    page = Paginator(dead_letter_list(channel=channel), PAGE_SIZE).get_page(
        form.cleaned_data.get("page") if valid else None
    )
    context = {
        "nav": "integrations",
        # Each channel in words, in the reader's language, beside its figures and rows.
        "counts": [(_channel(c.channel), c) for c in outbox_counts()],
        "form": form,
        "bulk": ChannelForm({"channel": channel or channels[0]}, channels=channels),
        "channel": channel,
        "page": page,
        "rows": [(_channel(m.channel), dead_letter_row(m)) for m in page],
        "query": request.GET.copy(),
        "refusal": error_text(error) if error else "",
    }
    status = status_for(error) if error else (200 if valid else 400)
    return render(request, TEMPLATE, context, status=status)


def _channel(code: str) -> str:
    return _(channel_name(code))


def _back(channel: str) -> HttpResponse:
    url = reverse("integrations:dead_letters")
    return redirect(f"{url}?channel={channel}" if channel else url)


@staff_required
@admin_only
def dead_letters(request: StaffRequest) -> HttpResponse:
    """The counts per channel and the given-up messages, filtered by channel, paged."""
    return _list(request, request.GET)


def _act(request: StaffRequest, done: Callable[[], object], success: str) -> HttpResponse:
    channel = ChannelFilterForm(request.POST, channels=outbox_channels())
    back = channel.cleaned_data.get("channel", "") if channel.is_valid() else ""
    try:
        done()
    except DomainError as exc:
        return _list(request, {"channel": back}, error=exc)
    messages.success(request, success)
    return _back(back)


@require_POST
@staff_required
@admin_only
def replay(request: StaffRequest, pk: int) -> HttpResponse:
    """Send one dead letter again on the worker's next pass."""
    return _act(
        request,
        lambda: dead_letter_replay(message_id=pk, who=_who(request), now=timezone.now()),
        _("Đã đưa tin số %(pk)s vào hàng đợi để gửi lại.") % {"pk": pk},
    )


@require_POST
@staff_required
@admin_only
def discard(request: StaffRequest, pk: int) -> HttpResponse:
    """Set one dead letter aside for good (kept, never sent)."""
    return _act(
        request,
        lambda: dead_letter_discard(message_id=pk, who=_who(request), now=timezone.now()),
        _("Đã bỏ qua tin số %(pk)s: tin được lưu lại và sẽ không gửi nữa.") % {"pk": pk},
    )


@require_POST
@staff_required
@admin_only
def replay_channel(request: StaffRequest) -> HttpResponse:
    """Send every dead letter of one channel again."""
    form = ChannelForm(request.POST, channels=outbox_channels())
    if not form.is_valid():
        return _list(request, {}, error=DomainError(_("Hãy chọn một kênh.")))
    channel = form.cleaned_data["channel"]
    count = dead_letters_replay_channel(channel=channel, who=_who(request), now=timezone.now())
    messages.success(
        request,
        _("Đã đưa %(count)s tin của kênh %(channel)s vào hàng đợi để gửi lại.")
        % {"count": count, "channel": channel},
    )
    return _back(channel)
