"""What the citizen is told when their dossier changes: an e-mail through the outbox, written
from templates (`templates/dossiers/email/`) in plain words and in local time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from motcua.core.calendar import format_vn
from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import citizen_dossier_url, receipt_url, tracking_url
from motcua.notify.services import outbox_message

if TYPE_CHECKING:
    from motcua.dossiers.models import DossierEvent
    from motcua.notify.models import OutboxMessage

# Besides every status change, what a citizen is told about: a new appointment, a delay.
# Hand-overs inside one status, proposals and approvals are on the tracking page instead of in
# the citizen's mailbox; a drafted apology reaches the citizen once it is signed.
CITIZEN_NEWS = frozenset({Action.APPROVE_APOLOGY, Action.EXCHANGE_APOLOGY, Action.MARK_OVERDUE})


# The systems that follow every dossier's record besides its citizen (the national portal's
# sync, webhook subscribers, ...): each is given the dossier as the change left it and the
# change's event, inside the change's transaction, and returns the outbox messages it sends
# (none for what it does not follow); they are written with the change or not at all.
Follower = Callable[["Dossier", "DossierEvent"], Sequence["OutboxMessage"]]
_FOLLOWERS: list[Follower] = []


def dossier_followers_add(follower: Follower) -> None:
    """Have `follower` told of every change of every dossier (from an AppConfig's ready());
    adding the same one twice adds it once."""
    if follower not in _FOLLOWERS:
        _FOLLOWERS.append(follower)


def followers_messages(dossier: Dossier, event: DossierEvent) -> list[OutboxMessage]:
    """The messages the followers send of one change, in the order they were added."""
    return [message for follower in _FOLLOWERS for message in follower(dossier, event)]


def is_news(action: Action, *, from_status: Status | None, to_status: Status) -> bool:
    """Whether the citizen hears of this action (DOMAIN §13: every state change reaches them)."""
    return to_status != from_status or action in CITIZEN_NEWS


def status_notice(
    dossier: Dossier,
    action: Action,
    *,
    now: datetime,
    payload: Mapping[str, Any],
    tz: tzinfo,
    agency: str = "",
    withdrawn: bool = False,
) -> OutboxMessage | None:
    """The e-mail telling the applicant what happened, or None without an address.

    `agency` names the agency the news is about when it is not the current one (the agency
    that apologises). In the site's language (Vietnamese), whatever language the officer's
    screen is in, and in the centre's time zone `tz`. One message per event: its dedupe key
    is the event's, so a retried write never mails twice. `withdrawn`: a stop that follows
    the citizen's own withdrawal.
    """
    if not dossier.applicant_email:
        return None
    # While the citizen's supplement is awaited the appointment is not known (the clock is
    # paused); it is told again when processing resumes.
    running = dossier.is_open and dossier.status != Status.SUPPLEMENT
    due = dossier.due_at if running else None
    # The letter of an agency on another installation, recorded here, is the same news as
    # one signed here: the same words.
    told = Action.APPROVE_APOLOGY if action is Action.EXCHANGE_APOLOGY else action
    context = {
        "action": told.value,
        "status": Status(dossier.status).label,
        "name": dossier.applicant_name,
        "code": dossier.code or "",
        "procedure": dossier.procedure_version.procedure.name,
        "agency": dossier.current_agency.name,
        "place": dossier.received_place.name,
        "due": format_vn(due, tz) if due is not None else "",
        # A refusal or an apology gives its reason; a stop or withdrawal records it as its note.
        "reason": payload.get("reason")
        or (payload.get("note", "") if action in (Action.STOP, Action.WITHDRAW) else ""),
        "delivery": dossier.delivery,
        "missing": list(payload.get("missing", ())),
        "url": tracking_url(dossier) if dossier.code else "",
        # The citizen's own page of the dossier (signed in), when it is tied to an account.
        "mine_url": citizen_dossier_url(dossier) if dossier.citizen_id else "",
        # A stop that follows the citizen's withdrawal says so.
        "withdrawn": action is Action.STOP and dossier.status == Status.STOPPED and withdrawn,
        "secret": dossier.tracking_secret,
        # Acceptance sends the receipt (form 01) electronically: a link that opens it.
        "receipt_url": receipt_url(dossier) if action is Action.RECEIVE and dossier.code else "",
    }
    if action is Action.RETURN_RESULT and dossier.code:
        # The invitation to rate (motcua.feedback), through the same code and secret.
        query = urlencode({"code": dossier.code, "secret": dossier.tracking_secret})
        context["rate_url"] = f"{settings.SITE_URL.rstrip('/')}{reverse('feedback:rate')}?{query}"
    if agency:  # the news is about another agency than the one holding the dossier
        context["agency"] = agency
    return outbox_message(
        recipient=dossier.applicant_email,
        template="dossiers/email",
        context=context,
        dossier_id=dossier.pk,
        dedupe_key=f"dossier:{dossier.pk}:{dossier.version}",
        now=now,
    )
