"""The portal simulator, a TEST DOUBLE of the National Public Service Portal for the demo and
the tests: it takes this installation's sync (views.py) and can be told to fail, lose its
answer or be slow; and it files dossiers here as the portal does, through the inbound
endpoint POST /api/v1/national/dossiers. Never installed in production (settings)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F

from motcua.catalog.selectors import documents_of, procedure_versions
from motcua.core.national_out import ADAPTER_VERSION, portal_time
from motcua.simulator.inprocess import in_process_session
from motcua.simulator.models import ReceivedRecord, SimulatorControl, Submission

INBOUND_PATH = "/api/v1/national/dossiers"
# Where this installation's NATIONAL_PORTAL_URL points when the simulator plays the portal on
# the same server (the demo): SITE_URL followed by this prefix (motcua/urls.py).
URL_PREFIX = "/mo-phong/cong-dvcqg"


def simulator_url(site_url: str | None = None) -> str:
    """The NATIONAL_PORTAL_URL that sends the sync to the simulator on this server."""
    return (site_url or settings.SITE_URL).rstrip("/") + URL_PREFIX


def simulator_control(
    *, fail_next: int | None = None, lose_next: int | None = None, delay_seconds: int | None = None
) -> SimulatorControl:
    """Tell the simulator what to do to the next syncs: fail the next N (HTTP 500), lose the
    answer to the next N (recorded, then 504, as after a timeout), answer after a delay."""
    control, _ = SimulatorControl.objects.get_or_create(pk=1)
    if fail_next is not None:
        control.fail_next = fail_next
    if lose_next is not None:
        control.lose_next = lose_next
    if delay_seconds is not None:
        control.delay_seconds = delay_seconds
    control.save()
    return control


def simulator_reset() -> None:
    """Forget everything received and filed, and every instruction."""
    ReceivedRecord.objects.all().delete()
    Submission.objects.all().delete()
    SimulatorControl.objects.all().delete()


def take_failure(counter: str) -> bool:
    """Whether this request is one of those told to fail (`fail_next` or `lose_next`): the
    counter goes down by one, atomically, when it is."""
    return bool(
        SimulatorControl.objects.filter(pk=1, **{f"{counter}__gt": 0}).update(
            **{counter: F(counter) - 1}
        )
    )


def delay_seconds() -> int:
    control = SimulatorControl.objects.filter(pk=1).first()
    return control.delay_seconds if control is not None else 0


@dataclass(frozen=True)
class Acknowledgement:
    receipt: str
    duplicate: bool
    record: ReceivedRecord


def record_received(*, key: str, record: dict[str, Any], now: datetime) -> Acknowledgement:
    """Keep a record once per Idempotency-Key, as the portal does: the same key again is
    acknowledged again, with the same receipt, and counted, never kept twice."""
    with transaction.atomic():
        kept, created = ReceivedRecord.objects.get_or_create(
            key=key,
            defaults={
                "portal_ref": str(record.get("MaHoSoQG") or ""),
                "code": str(record.get("MaHoSo") or ""),
                "seq": int(record["SoThuTu"]),
                "status": int(record["TrangThaiHoSo"]),
                "record": record,
                "received_at": now,
            },
        )
        if not created:
            ReceivedRecord.objects.filter(pk=kept.pk).update(deliveries=F("deliveries") + 1)
    return Acknowledgement(receipt=f"SIM-{kept.pk:08d}", duplicate=not created, record=kept)


def received_records(*, portal_ref: str = "", code: str = "") -> list[ReceivedRecord]:
    """The records the simulator kept, in the order they came, of one dossier if named."""
    rows = ReceivedRecord.objects.all()
    if portal_ref:
        rows = rows.filter(portal_ref=portal_ref)
    if code:
        rows = rows.filter(code=code)
    return list(rows.order_by("id"))


# ---------------------------------------------------------------------------------------------
# Filing dossiers as the portal does


@dataclass(frozen=True)
class Applicant:
    name: str
    id_number: str  # 12 digits
    address: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class PaperIn:
    name: str
    required_id: int | None = None  # MaThanhPhan: the procedure's required paper
    digitised: bool = True
    from_data_store: bool = False


@dataclass(frozen=True)
class FeeIn:
    name: str
    amount: int


@dataclass(frozen=True)
class Filing:
    """A dossier the citizen filed on the portal."""

    portal_ref: str  # MaHoSoQG: 1-50 characters of A-Z 0-9 . -
    procedure_code: str
    agency_code: str  # the receiving place's electronic ID
    submitted_at: datetime
    applicant: Applicant
    papers: Sequence[PaperIn] = ()
    fees: Sequence[FeeIn] = ()
    paid_online: int = 0
    vneid: bool = True
    delivery: str = "desk"
    extra: dict[str, Any] = field(default_factory=dict)


def submission_payload(filing: Filing) -> dict[str, Any]:
    """The inbound endpoint's payload for one filing, exactly as the portal sends it."""
    papers = []
    for p in filing.papers:
        paper: dict[str, Any] = {"TenTaiLieu": p.name}
        if p.required_id is not None:
            paper["MaThanhPhan"] = p.required_id
        paper.update(
            DuocSoHoa=int(p.digitised), DuocLayTuKhoDMQG=int(p.from_data_store), DuongDanTep=""
        )
        papers.append(paper)
    a = filing.applicant
    return {
        "PhienBan": ADAPTER_VERSION,
        "MaHoSoQG": filing.portal_ref,
        "MaTTHC": filing.procedure_code,
        "MaCoQuan": filing.agency_code,
        "NgayNopHoSo": portal_time(filing.submitted_at),
        "KenhThucHien": 2,
        "TrangThaiHoSo": 1,
        "ChuHoSo": {
            "HoTen": a.name,
            "SoDinhDanh": a.id_number,
            "DiaChi": a.address,
            "SoDienThoai": a.phone,
            "Email": a.email,
        },
        "TaiLieuNop": papers,
        "DanhSachPhiLePhi": [{"TenPhiLePhi": f.name, "Gia": f.amount} for f in filing.fees],
        "DuocThanhToanTrucTuyen": filing.paid_online,
        "TaiKhoanDuocXacThucVoiVNeID": int(filing.vneid),
        "HinhThucNhanKetQua": filing.delivery,
    }


def submission_key(payload: dict[str, Any]) -> str:
    """The Idempotency-Key the portal sends a filing with: the same filing, the same key."""
    content = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return f"sim-{payload['MaHoSoQG']}-{hashlib.sha256(content.encode()).hexdigest()[:16]}"


def simulator_submit(
    filing: Filing,
    *,
    api_key: str,
    now: datetime,
    times: int = 1,
    site_url: str | None = None,
    timeout: float = 30,
    session: requests.Session | None = None,
) -> list[Submission]:
    """File a dossier here as the portal would: POST the payload to the inbound endpoint with
    the API key as a bearer and an Idempotency-Key; `times` > 1 delivers the same filing again
    under the same key (a portal that retried). Each answer is kept. `session`: another
    transport (motcua.simulator.inprocess for the demo's loading)."""
    payload = submission_payload(filing)
    key = submission_key(payload)
    url = (site_url or settings.SITE_URL).rstrip("/") + INBOUND_PATH
    headers = {"Authorization": f"Bearer {api_key}", "Idempotency-Key": key}
    sent = []
    for _ in range(times):
        response = (session or requests).post(url, json=payload, headers=headers, timeout=timeout)
        try:
            answer = response.json()
        except ValueError:
            answer = {"text": response.text[:2000]}
        sent.append(
            Submission.objects.create(
                portal_ref=filing.portal_ref,
                key=key,
                payload=payload,
                sent_at=now,
                status_code=response.status_code,
                answer=answer if isinstance(answer, dict) else {"answer": answer},
            )
        )
    return sent


# Citizens of the simulator's filings (made up; the ID numbers are not real ones).
_PEOPLE = (
    ("Nguyễn Văn An", "001203012345", "12 Hàng Bạc, Hoàn Kiếm"),
    ("Trần Thị Bình", "001304023456", "5 Lý Thái Tổ, Hoàn Kiếm"),
    ("Lê Minh Châu", "001205034567", "20 Đội Cấn, Ba Đình"),
    ("Phạm Thu Dung", "001306045678", "8 Kim Mã, Ba Đình"),
)


def sample_filings(
    *, procedure_code: str, agency_code: str, count: int, now: datetime, prefix: str = "SIM"
) -> list[Filing]:
    """`count` filings of one procedure at one agency, with every required paper digitised on
    the portal, filed a few minutes apart before `now` (the demo's, the command's)."""
    versions = procedure_versions(procedure_code) or []
    if not versions:
        raise ValueError(f"unknown procedure {procedure_code!r}")
    papers = [
        PaperIn(d.name, required_id=d.pk) for d in documents_of(versions[0]) if not d.show_only
    ]
    filings = []
    for i in range(count):
        name, id_number, address = _PEOPLE[i % len(_PEOPLE)]
        filed = now - timedelta(minutes=5 * (count - i))
        filings.append(
            Filing(
                # The local day and minute it was filed, then its number: unique per run.
                portal_ref=f"{prefix}-{str(portal_time(filed))[2:12]}-{i + 1:04d}".upper(),
                procedure_code=procedure_code,
                agency_code=agency_code,
                submitted_at=filed,
                applicant=Applicant(name, id_number, address, "0912345678", ""),
                papers=papers,
                vneid=True,
            )
        )
    return filings


# ---------------------------------------------------------------------------------------------
# The demo

# The demo's portal token: a test double's, shared by the demo's server and worker, never a
# production secret (the simulator is refused in production).
DEMO_TOKEN = "mo-phong-cong-dvcqg-demo"  # noqa: S105
DEMO_CLIENT = "Cổng Dịch vụ công quốc gia (mô phỏng)"


@dataclass(frozen=True)
class DemoPortal:
    api_key: str
    filed: list[Submission]


def simulator_demo(
    *, agency_code: str, procedure_code: str, count: int, now: datetime
) -> DemoPortal:
    """The demo's national portal: an API client of its own at `agency_code`, and `count`
    dossiers filed through the inbound endpoint (in-process: no server runs yet), waiting at
    that desk's online queue. Call it with the installation connected to the simulator, so
    their statuses are synced back once the worker runs."""
    from motcua.api.services import client_create

    issued = client_create(
        name=DEMO_CLIENT,
        agency_codes=[agency_code],
        operations=["national.submit"],
        requests_per_minute=600,
        now=now,
    )
    session = in_process_session()
    filed: list[Submission] = []
    for filing in sample_filings(
        procedure_code=procedure_code, agency_code=agency_code, count=count, now=now, prefix="QG"
    ):
        filed += simulator_submit(filing, api_key=issued.key, now=now, session=session)
    return DemoPortal(api_key=issued.key, filed=filed)
