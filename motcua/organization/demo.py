"""The demo organisation: Hà Nội's centre, departments, 126 communes with their police, staff.

Agency e-ID codes of departments follow the pattern of QĐ 20/2020; the numbers for the
communes (H26.1xx) and commune police (H26.41.xxx) are placeholders [check]: the city's
published codes after the 2025 reorganisation were not available when this was written.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from motcua.core.lifecycle import Role
from motcua.core.signin import second_factor_required
from motcua.desk.second_factor import second_factor_enrol_fixed
from motcua.organization.models import Agency, Division, Staff, Unit, WorkCalendarConfig

DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 - printed for the demo; never used elsewhere
# The demo's heads, oversight and administrators sign in with a second factor: one known TOTP
# secret (typed into any authenticator app) and ten recovery codes, the same for every such
# account and printed by the demo. Demo only: a real account enrols its own.
DEMO_TOTP_SECRET = "MOTC UADE MOTH UNGH IEMX ACTH UCHA ILOP"  # noqa: S105 - printed, demo only
DEMO_RECOVERY_CODES = [f"demo-{n:02d}" for n in range(1, 11)]

# [check] The symbols the departments write in their documents' numbers (NĐ 30/2020 style).
DEPARTMENT_SYMBOLS = {
    "H26.32": "STP",
    "H26.38": "STC",
    "H26.39": "SNNMT",
    "H26.40": "SXD",
    "H26.41": "CATP",
    "H26.42": "BHXH",
}
DEPARTMENTS = [
    # code, name, short name, kind, units (code, name)
    (
        "H26.32",
        "Sở Tư pháp Thành phố Hà Nội",
        "Sở Tư pháp",
        Agency.Kind.DEPARTMENT,
        [("hanh-chinh-tu-phap", "Phòng Hành chính tư pháp")],
    ),
    (
        "H26.38",
        "Sở Tài chính Thành phố Hà Nội",
        "Sở Tài chính",
        Agency.Kind.DEPARTMENT,
        [("dang-ky-kinh-doanh", "Phòng Đăng ký kinh doanh")],
    ),
    (
        "H26.39",
        "Sở Nông nghiệp và Môi trường Thành phố Hà Nội",
        "Sở NN&MT",
        Agency.Kind.DEPARTMENT,
        [("van-phong-dang-ky-dat-dai", "Văn phòng Đăng ký đất đai")],
    ),
    (
        "H26.40",
        "Sở Xây dựng Thành phố Hà Nội",
        "Sở Xây dựng",
        Agency.Kind.DEPARTMENT,
        [("quan-ly-xay-dung", "Phòng Quản lý xây dựng")],
    ),
    (
        "H26.41",
        "Công an Thành phố Hà Nội",
        "Công an TP",
        Agency.Kind.POLICE,
        [
            ("ho-so-nghiep-vu", "Phòng Hồ sơ nghiệp vụ"),
            ("canh-sat-giao-thong", "Phòng Cảnh sát giao thông"),
        ],
    ),
    (
        "H26.42",
        "Bảo hiểm xã hội Thành phố Hà Nội",
        "BHXH TP",
        Agency.Kind.BRANCH,
        [("thu-so-the", "Phòng Thu - Sổ, thẻ")],
    ),
]
COMMUNE_UNITS = [
    ("van-phong", "Văn phòng HĐND và UBND"),
    ("van-hoa-xa-hoi", "Phòng Văn hóa - Xã hội"),
    ("kinh-te", "Phòng Kinh tế"),
]
POLICE_UNITS = [("dang-ky-cu-tru", "Đội Đăng ký, quản lý cư trú")]
# Communes whose staff get demo accounts (the first ward, a central ward, a rural commune).
STAFFED_COMMUNES = ("phuong_hoan_kiem", "phuong_ba_dinh", "xa_soc_son")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency: str
    unit: str


def _units(agency: Agency, extra: list[tuple[str, str]]) -> dict[str, Unit]:
    units = [("mot-cua", "Bộ phận Một cửa"), *extra, ("lanh-dao", "Lãnh đạo")]
    Unit.objects.bulk_create(
        [
            Unit(
                agency=agency,
                code=code,
                name=name,
                is_desk=code == "mot-cua",
                # A made-up line for each desk, so that form 02 names a number to call.
                phone=f"024 39{agency.pk % 100:02d} {agency.pk % 10000:04d}"
                if code == "mot-cua"
                else "",
            )
            for code, name in units
        ]
    )
    return {u.code: u for u in Unit.objects.filter(agency=agency)}


@transaction.atomic
def demo_organization() -> list[DemoAccount]:
    """Create the demo agencies, units and staff; return the accounts created."""
    calendar, _ = WorkCalendarConfig.objects.get_or_create(
        name="Hà Nội",
        defaults={"excluded_holidays": ["Ngày Văn hóa Việt Nam"]},
    )
    city = Agency.objects.create(
        code="H26",
        name="Ủy ban nhân dân Thành phố Hà Nội",
        short_name="UBND TP Hà Nội",
        symbol="UBND",
        kind=Agency.Kind.PROVINCE,
        calendar=calendar,
    )
    centre = Agency.objects.create(
        code="H26.1",
        name="Trung tâm Phục vụ hành chính công Thành phố Hà Nội",
        short_name="TTPVHCC Hà Nội",
        symbol="TTPVHCC",
        kind=Agency.Kind.CENTRE,
        parent=city,
        calendar=calendar,
        address="258 Võ Chí Công, Phường Phú Thượng, Hà Nội",
    )
    users: list[tuple[str, str, str, Agency, Unit, Role, str]] = []
    centre_units = _units(centre, [("giam-sat", "Phòng Giám sát")])
    users += [
        (
            "tiepnhan",
            "Nguyễn Thị",
            "Lan",
            centre,
            centre_units["mot-cua"],
            Role.DESK,
            "Cán bộ một cửa",
        ),
        (
            # The centre's director signs its apologies when its own desk caused the delay.
            "ttpvhcc.giamdoc",
            "Phạm Thị",
            "Hồng",
            centre,
            centre_units["lanh-dao"],
            Role.AGENCY_LEADER,
            "Giám đốc Trung tâm",
        ),
        (
            "giamsat",
            "Trần Văn",
            "Hùng",
            centre,
            centre_units["giam-sat"],
            Role.SUPERVISOR,
            "Chuyên viên giám sát",
        ),
        (
            "quantri",
            "Lê Minh",
            "Tuấn",
            centre,
            centre_units["giam-sat"],
            Role.ADMIN,
            "Quản trị hệ thống",
        ),
    ]
    prefixes = {
        "H26.32": "tp",
        "H26.38": "tc",
        "H26.39": "dd",
        "H26.40": "xd",
        "H26.41": "ca",
        "H26.42": "bhxh",
    }
    for code, name, short, kind, extra in DEPARTMENTS:
        agency = Agency.objects.create(
            code=code,
            name=name,
            short_name=short,
            symbol=DEPARTMENT_SYMBOLS[code],
            kind=kind,
            parent=city,
            calendar=calendar,
        )
        units = _units(agency, extra)
        work_unit = units[extra[0][0]]
        p = prefixes[code]
        users += [
            (
                f"{p}.motcua",
                "Phạm Thu",
                "Hà",
                agency,
                units["mot-cua"],
                Role.DESK,
                "Cán bộ một cửa",
            ),
            (
                f"{p}.chuyenvien",
                "Đỗ Quang",
                "Minh",
                agency,
                work_unit,
                Role.SPECIALIST,
                "Chuyên viên",
            ),
            (
                f"{p}.truongphong",
                "Vũ Thị",
                "Hoa",
                agency,
                work_unit,
                Role.UNIT_LEADER,
                "Trưởng phòng",
            ),
            (
                f"{p}.giamdoc",
                "Hoàng Văn",
                "Nam",
                agency,
                units["lanh-dao"],
                Role.AGENCY_LEADER,
                "Giám đốc",
            ),
        ]

    province = Division.objects.get(code="01")
    wards = list(Division.objects.filter(parent=province).order_by("code"))
    for i, ward in enumerate(wards):
        commune = Agency.objects.create(
            code=f"H26.{100 + i}",
            name=f"Ủy ban nhân dân {ward.name}",
            short_name=f"UBND {ward.name}",
            symbol="UBND",  # NĐ 30/2020: a commune's People's Committee writes UBND
            kind=Agency.Kind.COMMUNE,
            parent=city,
            division=ward,
            calendar=calendar,
        )
        police = Agency.objects.create(
            code=f"H26.41.{i + 1:03d}",
            name=f"Công an {ward.name}",
            short_name=f"CA {ward.name}",
            # [check] Công an phường / xã, as commune police number their documents.
            symbol="CAP" if ward.name.startswith("Phường") else "CAX",
            kind=Agency.Kind.POLICE,
            parent=Agency.objects.get(code="H26.41"),
            division=ward,
            serves=commune,
            calendar=calendar,
        )
        commune_units = _units(commune, COMMUNE_UNITS)
        police_units = _units(police, POLICE_UNITS)
        slug = _codename(ward.name)
        if slug in STAFFED_COMMUNES:
            short = slug.split("_", 1)[1].replace("_", "")
            users += [
                (
                    f"{short}.motcua",
                    "Bùi Thị",
                    "Mai",
                    commune,
                    commune_units["mot-cua"],
                    Role.DESK,
                    "Công chức một cửa",
                ),
                (
                    f"{short}.tuphap",
                    "Ngô Văn",
                    "Đức",
                    commune,
                    commune_units["van-hoa-xa-hoi"],
                    Role.SPECIALIST,
                    "Công chức Tư pháp - Hộ tịch",
                ),
                (
                    f"{short}.kinhte",
                    "Đặng Thị",
                    "Thu",
                    commune,
                    commune_units["kinh-te"],
                    Role.SPECIALIST,
                    "Chuyên viên Phòng Kinh tế",
                ),
                (
                    f"{short}.truongphong",
                    "Lý Văn",
                    "Sơn",
                    commune,
                    commune_units["van-hoa-xa-hoi"],
                    Role.UNIT_LEADER,
                    "Trưởng phòng Văn hóa - Xã hội",
                ),
                (
                    f"{short}.chutich",
                    "Trịnh Văn",
                    "Long",
                    commune,
                    commune_units["lanh-dao"],
                    Role.AGENCY_LEADER,
                    "Chủ tịch UBND",
                ),
                (
                    f"ca.{short}",
                    "Mai Văn",
                    "Tâm",
                    police,
                    police_units["dang-ky-cu-tru"],
                    Role.SPECIALIST,
                    "Cán bộ đăng ký cư trú",
                ),
                (
                    f"ca.{short}.truong",
                    "Phan Văn",
                    "Kiên",
                    police,
                    police_units["lanh-dao"],
                    Role.AGENCY_LEADER,
                    "Trưởng Công an",
                ),
            ]
    return _create_users(users)


def _codename(name: str) -> str:
    from motcua.core.text import fold

    return fold(name).replace(" ", "_")


def _create_users(rows: list[tuple[str, str, str, Agency, Unit, Role, str]]) -> list[DemoAccount]:
    """One password hash for all demo users: hashing is deliberately slow."""
    user_model = get_user_model()
    password = make_password(DEMO_PASSWORD)
    accounts = []
    for username, last, first, agency, unit, role, title in rows:
        user = user_model.objects.create(
            # Django shows first_name + last_name; Vietnamese names read family name first.
            username=username,
            first_name=last,
            last_name=first,
            password=password,
            email=f"{username}@demo.motcua.vn",
            is_staff=role in (Role.ADMIN, Role.SUPERVISOR),
            is_superuser=role is Role.ADMIN,
        )
        Staff.objects.create(user=user, agency=agency, unit=unit, role=role.value, title=title)
        if second_factor_required(role, admin_access=user.is_staff):
            second_factor_enrol_fixed(user=user, secret=DEMO_TOTP_SECRET, codes=DEMO_RECOVERY_CODES)
        accounts.append(
            DemoAccount(username, role.label, agency.short_name or agency.name, unit.name)
        )
    return accounts
