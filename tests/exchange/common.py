"""What the exchange tests share: a commune procedure with a step at the Department of
Justice, which lives on another installation, and an applicant."""

from __future__ import annotations

from motcua.core.reception import Applicant
from motcua.dossiers.services import Intake
from tests.factories import _procedure

PERSON = Applicant(name="Trần Văn Bình", id_number="001203012345", phone="0912345678")
CHECKED = "9.000001"


def checked_procedure():
    """Received at the commune, checked by the Department of Justice (H26.32), then decided
    by the commune: the middle step is the one handed to another installation."""
    return _procedure(
        CHECKED,
        "Xác nhận có kiểm tra lý lịch tư pháp",
        "commune",
        "commune",
        "5",
        "working_days",
        [
            ("Tiếp nhận", "receiving", "mot-cua", "desk", "0.25"),
            ("Xác minh lý lịch tư pháp", "H26.32", "hanh-chinh-tu-phap", "specialist", "2"),
            ("Thẩm định", "competent", "van-hoa-xa-hoi", "specialist", "1"),
            ("Ký duyệt", "competent", "lanh-dao", "agency_leader", "0.5"),
        ],
        ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"],
    )


def checked_intake(procedure, **changes) -> Intake:
    docs = [d.pk for d in procedure.versions.get().documents.all()]
    values = dict(procedure_code=procedure.code, applicant=PERSON, documents=docs)
    values.update(changes)
    return Intake(**values)
