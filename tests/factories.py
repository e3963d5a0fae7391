"""The small world the database tests live in (see the personas in conftest.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from motcua.catalog.models import Procedure, ProcedureVersion, RequiredDocument, StepTemplate
from motcua.core.lifecycle import Role
from motcua.core.text import fold
from motcua.organization.models import Agency, Staff, Unit, WorkCalendarConfig
from motcua.organization.selectors import Actor, calendar_cache_clear


@dataclass
class World:
    calendar: WorkCalendarConfig
    centre: Agency
    justice: Agency
    social: Agency
    hoan_kiem: Agency
    ba_dinh: Agency
    police_hk: Agency
    lan: Actor  # desk, Hoàn Kiếm
    duc: Actor  # specialist, Hoàn Kiếm
    son: Actor  # unit leader, Hoàn Kiếm
    long: Actor  # head of Hoàn Kiếm
    tam: Actor  # commune police specialist
    kien: Actor  # head of the commune police
    ha: Actor  # desk, city centre
    minh: Actor  # specialist, Department of Justice
    nam: Actor  # director, Department of Justice
    bao: Actor  # social insurance specialist
    mai: Actor  # desk, Ba Đình (another commune)
    birth: Procedure  # same day, one commune
    chain: Procedure  # 3 working days, commune -> commune police -> social insurance
    record: Procedure  # 10 working days, provincial


UNIT_NAMES = {
    "mot-cua": "Bộ phận Một cửa",
    "van-hoa-xa-hoi": "Phòng Văn hóa - Xã hội",
    "kinh-te": "Phòng Kinh tế",
    "lanh-dao": "Lãnh đạo",
    "hanh-chinh-tu-phap": "Phòng Hành chính tư pháp",
    "thu-so-the": "Phòng Thu - Sổ, thẻ",
    "dang-ky-cu-tru": "Đội Đăng ký, quản lý cư trú",
}


def _agency(code: str, name: str, kind: str, calendar, units, **extra) -> Agency:
    agency = Agency.objects.create(code=code, name=name, kind=kind, calendar=calendar, **extra)
    for unit_code in units:
        Unit.objects.create(
            agency=agency,
            code=unit_code,
            name=UNIT_NAMES[unit_code],
            is_desk=unit_code == "mot-cua",
        )
    return agency


def _person(username: str, full_name: str, agency: Agency, unit: str, role: Role) -> Actor:
    family, given = full_name.rsplit(" ", 1)
    user = get_user_model().objects.create_user(
        username=username, first_name=family, last_name=given, password="x-" + username * 2
    )
    unit_row = Unit.objects.get(agency=agency, code=unit)
    Staff.objects.create(user=user, agency=agency, unit=unit_row, role=role.value)
    return Actor(role=role, user_id=user.pk, name=full_name, agency=agency, unit=unit_row)


def _procedure(
    code: str,
    name: str,
    level: str,
    competent: str,
    limit: str,
    unit: str,
    steps: list[tuple[str, str, str, str, str]],
    docs: list[str],
) -> Procedure:
    procedure = Procedure.objects.create(
        code=code, name=name, field="Thử nghiệm", level=level, search_key=fold(name)
    )
    version = ProcedureVersion.objects.create(
        procedure=procedure,
        version=1,
        effective_from=date(2025, 7, 1),
        competent=competent,
        time_limit=Decimal(limit),
        time_limit_unit=unit,
        fee=0,
    )
    for i, doc in enumerate(docs):
        RequiredDocument.objects.create(version=version, order=i, name=doc)
    for i, (step_name, agency_ref, unit_code, role, allotment) in enumerate(steps):
        StepTemplate.objects.create(
            version=version,
            order=i,
            name=step_name,
            agency_ref=agency_ref,
            unit_code=unit_code,
            role=role,
            allotment=Decimal(allotment),
        )
    return procedure


def build_world() -> World:
    calendar_cache_clear()
    calendar = WorkCalendarConfig.objects.create(
        name="Hà Nội", excluded_holidays=["Ngày Văn hóa Việt Nam"]
    )
    commune_units = ["mot-cua", "van-hoa-xa-hoi", "kinh-te", "lanh-dao"]
    city = _agency("H26", "UBND Thành phố Hà Nội", "province", calendar, [])
    centre = _agency(
        "H26.1", "Trung tâm Phục vụ hành chính công", "centre", calendar, ["mot-cua"], parent=city
    )
    justice = _agency(
        "H26.32",
        "Sở Tư pháp",
        "department",
        calendar,
        ["mot-cua", "hanh-chinh-tu-phap", "lanh-dao"],
        parent=city,
    )
    social = _agency(
        "H26.42",
        "Bảo hiểm xã hội Thành phố Hà Nội",
        "branch",
        calendar,
        ["mot-cua", "thu-so-the", "lanh-dao"],
        parent=city,
    )
    hoan_kiem = _agency(
        "H26.100", "UBND Phường Hoàn Kiếm", "commune", calendar, commune_units, parent=city
    )
    ba_dinh = _agency(
        "H26.101", "UBND Phường Ba Đình", "commune", calendar, commune_units, parent=city
    )
    police_hk = _agency(
        "H26.41.001",
        "Công an Phường Hoàn Kiếm",
        "police",
        calendar,
        ["mot-cua", "dang-ky-cu-tru", "lanh-dao"],
        serves=hoan_kiem,
    )
    _agency(
        "H26.41.002",
        "Công an Phường Ba Đình",
        "police",
        calendar,
        ["mot-cua", "dang-ky-cu-tru", "lanh-dao"],
        serves=ba_dinh,
    )
    birth = _procedure(
        "1.001193",
        "Đăng ký khai sinh",
        "commune",
        "commune",
        "0",
        "same_day",
        [
            ("Tiếp nhận", "receiving", "mot-cua", "desk", "0.125"),
            ("Thẩm định", "competent", "van-hoa-xa-hoi", "specialist", "0.5"),
            ("Ký duyệt", "competent", "lanh-dao", "agency_leader", "0.25"),
        ],
        ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"],
    )
    chain = _procedure(
        "3.000722",
        "Liên thông khai sinh, thường trú, thẻ BHYT",
        "commune",
        "commune",
        "3",
        "working_days",
        [
            ("Tiếp nhận", "receiving", "mot-cua", "desk", "0.25"),
            ("Đăng ký khai sinh", "competent", "van-hoa-xa-hoi", "specialist", "0.75"),
            ("Đăng ký thường trú", "commune_police", "dang-ky-cu-tru", "specialist", "1"),
            ("Cấp thẻ BHYT", "H26.42", "thu-so-the", "specialist", "1"),
        ],
        ["Tờ khai liên thông", "Giấy chứng sinh"],
    )
    record = _procedure(
        "3.000333",
        "Cấp Phiếu lý lịch tư pháp",
        "province",
        "H26.32",
        "10",
        "working_days",
        [
            ("Tiếp nhận", "receiving", "mot-cua", "desk", "0.5"),
            ("Xử lý", "H26.32", "hanh-chinh-tu-phap", "specialist", "7"),
            ("Ký duyệt", "H26.32", "lanh-dao", "agency_leader", "2.5"),
        ],
        ["Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp"],
    )
    return World(
        calendar=calendar,
        centre=centre,
        justice=justice,
        social=social,
        hoan_kiem=hoan_kiem,
        ba_dinh=ba_dinh,
        police_hk=police_hk,
        lan=_person("lan", "Nguyễn Thị Lan", hoan_kiem, "mot-cua", Role.DESK),
        duc=_person("duc", "Ngô Văn Đức", hoan_kiem, "van-hoa-xa-hoi", Role.SPECIALIST),
        son=_person("son", "Lý Văn Sơn", hoan_kiem, "van-hoa-xa-hoi", Role.UNIT_LEADER),
        long=_person("long", "Trịnh Văn Long", hoan_kiem, "lanh-dao", Role.AGENCY_LEADER),
        tam=_person("tam", "Mai Văn Tâm", police_hk, "dang-ky-cu-tru", Role.SPECIALIST),
        kien=_person("kien", "Phan Văn Kiên", police_hk, "lanh-dao", Role.AGENCY_LEADER),
        ha=_person("ha", "Phạm Thu Hà", centre, "mot-cua", Role.DESK),
        minh=_person("minh", "Đỗ Quang Minh", justice, "hanh-chinh-tu-phap", Role.SPECIALIST),
        nam=_person("nam", "Hoàng Văn Nam", justice, "lanh-dao", Role.AGENCY_LEADER),
        bao=_person("bao", "Trần Gia Bảo", social, "thu-so-the", Role.SPECIALIST),
        mai=_person("mai", "Bùi Thị Mai", ba_dinh, "mot-cua", Role.DESK),
        birth=birth,
        chain=chain,
        record=record,
    )
