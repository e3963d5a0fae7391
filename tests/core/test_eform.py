"""The e-form's rules: the catalog's field definitions, the values typed, online timing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.core import eform
from motcua.core.calendar import WorkCalendar
from motcua.core.errors import InvalidInput
from tests.conftest import at

APPLICANT = [
    {"name": "ho_ten", "label": "Họ tên", "kind": "text"},
    {"name": "so_dinh_danh", "label": "Số định danh", "kind": "id_number"},
]


@pytest.mark.parametrize(
    ("extra", "problem_key"),
    [
        ({"name": "Tên", "label": "x", "kind": "text"}, "fields[3].name"),
        ({"name": "a", "label": "", "kind": "text"}, "fields[3].label"),
        ({"name": "a", "label": "x", "kind": "photo"}, "fields[3].kind"),
        ({"name": "a", "label": "x", "kind": "choice", "options": ["một"]}, "fields[3].options"),
        ({"name": "a", "label": "x", "kind": "text", "options": ["a", "b"]}, "fields[3].options"),
        ({"name": "a", "label": "x", "kind": "number", "min": 5, "max": 1}, "fields[3].min"),
        ({"name": "a", "label": "x", "kind": "date", "min": 1}, "fields[3].min"),
        ({"name": "a", "label": "x", "kind": "text", "colour": "red"}, "fields[3].colour"),
        ({"name": "ho_ten", "label": "x", "kind": "text"}, "fields[3].name"),
        ({"name": "delivery", "label": "x", "kind": "text"}, "fields[3].name"),
        ({"name": "a", "label": "x", "kind": "text", "required": "yes"}, "fields[3].required"),
    ],
)
def test_bad_field_definitions_are_named(extra, problem_key):
    _specs, problems = eform.parse_fields([*APPLICANT, extra])
    assert problem_key in [key for key, _message in problems]


def test_a_form_needs_the_applicant():
    _specs, problems = eform.parse_fields([{"name": "a", "label": "x", "kind": "text"}])
    assert [key for key, _m in problems] == ["fields", "fields"]


@pytest.mark.parametrize("optional", ["ho_ten", "so_dinh_danh"])
def test_the_applicants_name_and_id_number_cannot_be_optional(optional):
    """The dossier is lodged in the applicant's name and ID number: a form that lets either be
    left blank is refused at import, not found out at submission."""
    raw = [{**f, "required": False} if f["name"] == optional else f for f in APPLICANT]
    _specs, problems = eform.parse_fields(raw)
    assert [key for key, message in problems] == ["fields"]
    assert f"bắt buộc «{optional}»" in problems[0][1]


def test_good_fields_round_trip_through_json():
    raw = [
        *APPLICANT,
        {"name": "so_ban", "label": "Số bản", "kind": "number", "min": 1, "max": 20},
        {"name": "gioi_tinh", "label": "Giới tính", "kind": "choice", "options": ["Nam", "Nữ"]},
    ]
    specs, problems = eform.parse_fields(raw)
    assert problems == []
    assert tuple(eform.FieldSpec.from_dict(s.as_dict()) for s in specs) == specs
    assert specs[2].maximum == Decimal(20)


SPECS, _ = eform.parse_fields(
    [
        *APPLICANT,
        {"name": "dien_thoai", "label": "Điện thoại", "kind": "phone", "required": False},
        {"name": "ngay_sinh", "label": "Ngày sinh", "kind": "date"},
        {"name": "gioi_tinh", "label": "Giới tính", "kind": "choice", "options": ["Nam", "Nữ"]},
        {"name": "so_ban", "label": "Số bản", "kind": "number", "min": 1, "max": 20},
        {"name": "noi_cu_tru", "label": "Nơi cư trú", "kind": "address"},
    ]
)
GOOD = {
    "ho_ten": "Nguyễn Văn An",
    "so_dinh_danh": "001203004567",
    "dien_thoai": "+84 912 345 678",
    "ngay_sinh": "2026-11-20",
    "gioi_tinh": "Nam",
    "so_ban": "2",
    "noi_cu_tru": {"province": "01", "ward": "00070", "street": "12 Hàng Bạc"},
}


def test_good_values_are_normalised():
    clean = eform.check_values(SPECS, GOOD, complete=True)
    assert clean["dien_thoai"] == "0912345678"
    assert clean["so_ban"] == "2"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("so_dinh_danh", "12345"),
        ("so_dinh_danh", "00120300456A"),
        ("dien_thoai", "0123"),
        ("ngay_sinh", "20/11/2026x"),
        ("gioi_tinh", "Khác"),
        ("so_ban", "0"),
        ("so_ban", "21"),
        ("so_ban", "hai"),
        ("ho_ten", "An\u202e"),
        ("noi_cu_tru", {"province": "01", "ward": "", "street": ""}),
    ],
)
def test_malformed_values_are_refused_beside_their_field(name, value):
    with pytest.raises(InvalidInput) as caught:
        eform.check_values(SPECS, {**GOOD, name: value}, complete=True)
    assert [p.details["field"] for p in caught.value.problems()] == [name]


def test_every_problem_at_once_and_drafts_may_be_incomplete():
    with pytest.raises(InvalidInput) as caught:
        eform.check_values(SPECS, {"so_dinh_danh": "1"}, complete=True)
    fields = {p.details["field"] for p in caught.value.problems()}
    assert fields == {"ho_ten", "so_dinh_danh", "ngay_sinh", "gioi_tinh", "so_ban", "noi_cu_tru"}
    assert eform.check_values(SPECS, {"ho_ten": "An"}, complete=False) == {"ho_ten": "An"}
    with pytest.raises(InvalidInput):  # a draft keeps nothing malformed
        eform.check_values(SPECS, {"so_dinh_danh": "1"}, complete=False)


CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("arrived", "alert_by", "late_at"),
    [
        # Wednesday mid-morning: 2 office hours later; 8 spill over lunch into Thursday.
        ("2026-11-25 10:00", "2026-11-25 12:00", "2026-11-26 10:00"),
        # Friday after 16:30: the rest of the day, then Monday.
        ("2026-11-27 16:30", "2026-11-30 09:30", "2026-11-30 16:30"),
        # Saturday: counted from Monday 08:00.
        ("2026-11-28 09:00", "2026-11-30 10:00", "2026-11-30 17:00"),
        # On the eve of the National Day (31/8 swapped, 1–2/9 off): Thursday 3/9.
        ("2026-08-28 16:00", "2026-09-03 09:00", "2026-09-03 16:00"),
    ],
)
def test_reception_timing_counts_office_hours(arrived, alert_by, late_at):
    timing = eform.reception_timing(at(arrived), at(arrived), CAL)
    assert (timing.alert_by, timing.late_at) == (at(alert_by), at(late_at))
    assert not timing.late
    assert eform.reception_timing(at(arrived), at(late_at), CAL).late


def test_limits_are_configurable():
    rules = eform.OnlinePolicy(alert_hours=1, reception_hours=4, draft_days=5)
    timing = eform.reception_timing(at("2026-11-25 08:00"), at("2026-11-25 08:00"), CAL, rules)
    assert (timing.alert_by, timing.late_at) == (at("2026-11-25 09:00"), at("2026-11-25 12:00"))
    assert eform.draft_expires_at(at("2026-11-25 10:00"), CAL, rules) == at("2026-12-02 10:00")


def test_a_draft_lives_fifteen_working_days():
    # 15 working days from Wed 25/11 10:00: 16/12 10:00 (weekends skipped).
    assert eform.draft_expires_at(at("2026-11-25 10:00"), CAL) == at("2026-12-16 10:00")


# Papers' names and results' descriptions as the shipped catalog writes them.
BIRTH = "Giấy khai sinh (bản chính)"  # 1.001193
DEATH = "Trích lục khai tử (bản chính)"  # 1.000656
MARRIAGE = "Giấy chứng nhận kết hôn (01 bản chính cho mỗi bên)"  # 1.000894
EXTRACT = "Bản sao trích lục hộ tịch"  # 2.000635: of one event, not named
CHAIN = (
    "Giấy khai sinh; thông báo kết quả đăng ký thường trú; thẻ bảo hiểm y tế; thẻ căn cước của trẻ"
)
CERTIFIED = "Bản sao được chứng thực từ bản chính"  # 2.000815: a copy of anything


@pytest.mark.parametrize(
    ("paper", "result", "fits"),
    [
        ("Bản sao giấy khai sinh", BIRTH, True),
        ("BẢN SAO GIAY KHAI SINH", BIRTH, True),  # case and diacritics do not matter
        ("Bản sao giấy khai sinh", CHAIN, True),  # the inter-agency chain issues one too
        ("Bản sao giấy khai sinh", EXTRACT, True),  # a civil-status extract may be of a birth
        ("Bản sao giấy khai sinh", DEATH, False),
        ("Bản sao giấy khai sinh", MARRIAGE, False),
        ("Bản sao giấy khai sinh", CERTIFIED, False),  # which paper it copies is not known
        ("Giấy chứng nhận kết hôn của cha, mẹ (nếu cha, mẹ đã đăng ký kết hôn)", MARRIAGE, True),
        ("Giấy chứng nhận kết hôn của cha, mẹ (nếu cha, mẹ đã đăng ký kết hôn)", BIRTH, False),
        ("Giấy chứng sinh", BIRTH, False),  # the hospital's paper, not the birth certificate
        ("Giấy phép lái xe đang sử dụng", "Giấy phép lái xe", True),
        ("Tờ khai đăng ký khai sinh theo mẫu", BIRTH, False),  # a form is filled, not reused
    ],
)
def test_only_a_result_of_the_kind_the_paper_asks_for_fits(paper, result, fits):
    assert eform.result_fits(paper, result) is fits


ARRIVED = at("2026-11-25 10:00")


@pytest.mark.parametrize(
    ("resubmitted", "start"),
    [
        (None, ARRIVED),  # never sent back: from the arrival
        (at("2026-11-26 15:00"), at("2026-11-26 15:00")),  # resubmitted: from then
        (at("2026-11-24 09:00"), ARRIVED),  # an answer before this arrival is an older round
    ],
)
def test_the_reception_clocks_restart_from_the_resubmission(resubmitted, start):
    assert eform.reception_start(ARRIVED, resubmitted) == start


def test_the_resubmission_restarts_both_limits():
    calendar = CAL
    first = eform.reception_timing(ARRIVED, at("2026-11-26 15:00"), calendar)
    assert first.late  # 8 working hours after Wed 10:00 is Thu 10:00
    again = eform.reception_start(ARRIVED, at("2026-11-26 15:00"))
    second = eform.reception_timing(again, at("2026-11-26 15:00"), calendar)
    assert not second.late and second.late_at == at("2026-11-27 15:00")
    assert second.alert_by == at("2026-11-26 17:00")  # 2 working hours: 15:00–17:00
