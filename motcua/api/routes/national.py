"""POST /national/dossiers: a dossier from the National Public Service Portal in the data set of
TT 04/2025/TT-VPCP (docs/integration.md, "From the national portal (inbound)").

The body is read here as plain JSON and checked field by field by the core
(`motcua.core.national_in`), so that every problem comes back at once with its TT 04 path; the
OpenAPI document describes the contract with the schema below.

The answer's MaHoSo is the province's dossier code, null while the dossier awaits reception: a
code is assigned at valid reception (DOMAIN §7). The centralised-service format of TT 04/2025
(`{agency}-{YYMMDD}-{AA}{NNNN}`, AA from the owning ministry) is for dossiers of centrally run
national systems, which number their own; a dossier the portal hands to the province is the
province's and gets the province's format at its desk, so the inbound adapter never makes one.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status

from motcua.api import services
from motcua.api.framework import (
    ERRORS,
    IdempotencyKey,
    Problem,
    allow,
    create_once,
    note,
    read_json,
)
from motcua.core import national_in

router = Router(tags=["national"])

_FLAG = {"type": "integer", "enum": [0, 1]}
_TEXT = {"type": "string"}

NATIONAL_IN: dict[str, Any] = {
    "type": "object",
    "required": [
        "PhienBan",
        "MaHoSoQG",
        "MaTTHC",
        "MaCoQuan",
        "NgayNopHoSo",
        "KenhThucHien",
        "TrangThaiHoSo",
        "ChuHoSo",
        "DuocThanhToanTrucTuyen",
        "TaiKhoanDuocXacThucVoiVNeID",
    ],
    "properties": {
        "PhienBan": {"type": "string", "enum": list(national_in.VERSIONS)},
        "MaHoSoQG": {"type": "string", "pattern": "^[A-Z0-9.\\-]{1,50}$"},
        "MaTTHC": {"type": "string", "example": "1.001612"},
        "MaCoQuan": {"type": "string", "example": "H26.22"},
        "NgayNopHoSo": {"type": "string", "pattern": "^[0-9]{14}$", "example": "20261204093000"},
        "KenhThucHien": {"type": "integer", "enum": [national_in.ONLINE]},
        "TrangThaiHoSo": {"type": "integer", "enum": [national_in.NEW]},
        "ChuHoSo": {
            "type": "object",
            "required": ["HoTen", "SoDinhDanh"],
            "properties": {
                "HoTen": _TEXT,
                "SoDinhDanh": {"type": "string", "pattern": "^[0-9]{12}$"},
                "DiaChi": _TEXT,
                "SoDienThoai": _TEXT,
                "Email": _TEXT,
            },
        },
        "TaiLieuNop": {
            "type": "array",
            "maxItems": national_in.MAX_PAPERS,
            "items": {
                "type": "object",
                "required": ["TenTaiLieu", "DuocSoHoa", "DuocLayTuKhoDMQG"],
                "properties": {
                    "TenTaiLieu": _TEXT,
                    "MaThanhPhan": {"type": "integer", "minimum": 1},
                    "DuocSoHoa": _FLAG,
                    "DuocLayTuKhoDMQG": _FLAG,
                    "DuongDanTep": _TEXT,
                },
            },
        },
        "DanhSachPhiLePhi": {
            "type": "array",
            "maxItems": national_in.MAX_FEES,
            "items": {
                "type": "object",
                "required": ["TenPhiLePhi", "Gia"],
                "properties": {
                    "TenPhiLePhi": _TEXT,
                    "Gia": {"type": "integer", "minimum": 0},
                },
            },
        },
        "DuocThanhToanTrucTuyen": {"type": "integer", "enum": list(national_in.PAID_ONLINE)},
        "TaiKhoanDuocXacThucVoiVNeID": _FLAG,
        "HinhThucNhanKetQua": {"type": "string", "enum": list(national_in.DELIVERIES)},
    },
}


class NationalOut(Schema):
    MaHoSoQG: str
    MaHoSo: str | None
    TrangThaiHoSo: int
    ThamChieu: str


@router.post(
    "/national/dossiers",
    response={201: NationalOut, 200: NationalOut, ERRORS: Problem},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": NATIONAL_IN}},
        }
    },
)
def national_submit(
    request: HttpRequest, idempotency_key: IdempotencyKey
) -> Status[dict[str, object]]:
    """Take a dossier from the national portal: 201 with the answer; the same MaHoSoQG sent
    again unchanged gives 200 with the same answer. Requires the Idempotency-Key header."""
    caller = allow(request, "national.submit")
    payload = read_json(request)

    def create() -> services.Answer:
        answer = services.national_receive(caller=caller, payload=payload, now=timezone.now())
        if answer.replayed:
            note(request, "national_replay")
        body = {
            "MaHoSoQG": answer.portal_ref,
            "MaHoSo": answer.code,
            "TrangThaiHoSo": answer.status,
            "ThamChieu": str(answer.ref),
        }
        return (200 if answer.replayed else 201), body

    return Status(*create_once(request, caller, create))
