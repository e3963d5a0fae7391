"""What a citizen does online on their own dossier: answer the request for papers (once, within
its window), ask to withdraw (with a reason), take the electronic result (once it is ready).

The supplement request (form 02) lists everything missing once (NĐ 118 Điều 17); the citizen
answers it once, with a file for every paper listed. A second answer finds the dossier no
longer waiting; an answer after the window closed is refused: the papers then go to the
counter. Nothing of a refused answer is stored.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, tzinfo

from motcua.core.calendar import WorkCalendar, format_vn
from motcua.core.errors import GuardError, InvalidInput, NotFound, ValidationError, _
from motcua.core.lifecycle import Status

MAX_REASON = 2000
# The statuses in which a result exists (NĐ 118 Điều 22 k1: its electronic copy too).
RESULT_STATUSES = frozenset({Status.DONE, Status.RETURNED})


def answer_closes_at(calendar: WorkCalendar, asked_at: datetime, working_days: int) -> datetime:
    """When the online answer to a supplement request closes: `working_days` working days
    after the request, by the dossier's calendar."""
    return calendar.add_working_days(asked_at, working_days)


def answer_open(status: Status, *, closes_at: datetime | None, now: datetime) -> bool:
    """Whether the citizen may still answer the supplement request online."""
    return status is Status.SUPPLEMENT and closes_at is not None and now < closes_at


def check_answer(
    status: Status,
    *,
    closes_at: datetime | None,
    now: datetime,
    missing: Sequence[str],
    sent: Collection[int],
    tz: tzinfo,
) -> None:
    """Raise unless the answer may be taken: the dossier waits for papers, the window is open,
    and a file came for every paper listed (by its position in the list), all named at once."""
    if status is not Status.SUPPLEMENT or closes_at is None:
        raise GuardError(
            _(
                "Hồ sơ không còn chờ bổ sung giấy tờ: giấy tờ bổ sung đã được nộp, hoặc hồ sơ "
                "không cần bổ sung. Không có gì được lưu thêm."
            ),
            field="papers",
        )
    if now >= closes_at:
        raise GuardError(
            _(
                "Đã hết hạn bổ sung giấy tờ trực tuyến (hạn cuối {closes}). Vui lòng mang giấy "
                "tờ đến nơi đã nộp hồ sơ."
            ),
            field="papers",
            closes=format_vn(closes_at, tz),
        )
    problems = [
        ValidationError(_("Chưa chọn tệp cho giấy tờ “{paper}”."), field=f"paper_{i}", paper=name)
        for i, name in enumerate(missing)
        if i not in sent
    ]
    extra = sorted(set(sent) - set(range(len(missing))))
    problems.extend(
        ValidationError(_("Tệp gửi kèm không thuộc danh sách cần bổ sung."), field=f"paper_{i}")
        for i in extra
    )
    if problems:
        raise InvalidInput(problems)


def withdrawal_reason(reason: str) -> str:
    """The reason a citizen gives for withdrawing (required, one paragraph)."""
    cleaned = reason.strip()
    if not cleaned:
        raise ValidationError(_("Hãy cho biết lý do rút hồ sơ."), field="note")
    if len(cleaned) > MAX_REASON:
        raise ValidationError(_("Lý do dài quá {limit} ký tự."), field="note", limit=MAX_REASON)
    return cleaned


def check_result_download(status: Status, *, has_copy: bool) -> None:
    """The electronic result is given only once the result exists and its copy is on file;
    otherwise the same "not found" as for a dossier that is not the citizen's."""
    if status not in RESULT_STATUSES or not has_copy:
        raise NotFound(_("Chưa có kết quả điện tử của hồ sơ này."))


def check_result_copy(content_type: str, *, field: str = "result") -> None:
    """The electronic copy of a result is a PDF (a scan of an image is a paper, not a result)."""
    if content_type != "application/pdf":
        raise ValidationError(_("Bản điện tử của kết quả phải là tệp PDF."), field=field)


# Where a withdrawal may be asked (the lifecycle's WITHDRAW rule: received, not finished).
_WITHDRAWABLE = frozenset({Status.RECEIVED, Status.PROCESSING, Status.SUPPLEMENT, Status.PAYMENT})


def withdrawal_allowed(status: Status, *, approved: bool) -> bool:
    """Whether the citizen may ask to withdraw now: the dossier is being dealt with and no
    decision has been issued (NĐ 118 Điều 21)."""
    return status in _WITHDRAWABLE and not approved


def check_withdrawal(status: Status, *, approved: bool) -> None:
    """Raise, in plain words, when the citizen may not ask to withdraw now."""
    if approved and status in _WITHDRAWABLE:
        raise GuardError(
            _("Hồ sơ đã có quyết định giải quyết nên không thể rút được nữa."), field="note"
        )
    if status is Status.WITHDRAWN:
        raise GuardError(_("Đề nghị rút hồ sơ đã được gửi trước đó."), field="note")
    if status not in _WITHDRAWABLE:
        raise GuardError(
            _("Hồ sơ không ở giai đoạn có thể đề nghị rút (chưa được tiếp nhận hoặc đã kết thúc)."),
            field="note",
        )
