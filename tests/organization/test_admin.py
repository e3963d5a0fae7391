"""The admin: organisation, calendars and catalog; every edit reaches the cached reads at once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.admin import HAS_DOSSIERS, NO_DOSSIERS
from motcua.catalog.models import StepTemplate
from motcua.catalog.selectors import documents_of, procedure_versions, steps_of
from motcua.dossiers.services import Applicant, Intake, dossier_receive
from motcua.organization.admin import DECIDED_AT_HELP
from motcua.organization.models import Agency, CalendarOverride, Staff, Unit
from motcua.organization.selectors import agency_by_code, calendar_for, unit_of
from tests.conftest import VN, at

SATURDAY = date(2026, 11, 28)
MONDAY = date(2026, 11, 30)


@pytest.fixture
def admin_client(world, client):
    """Quyên, the system administrator (a superuser)."""
    # No password: force_login needs none, and hashing one costs more than the test.
    quyen = get_user_model().objects.create_superuser(
        username="quyen", email="quyen@example.vn", password=None
    )
    client.force_login(quyen)
    return client


def receive(world):
    version = world.record.versions.get()
    return dossier_receive(
        intake=Intake(
            procedure_code=world.record.code,
            applicant=Applicant(name="Trần Văn Bình", id_number="001203012345"),
            documents=[doc.pk for doc in version.documents.all()],
        ),
        actor=world.ha,
        now=at("2026-11-25 09:30"),
    )


@pytest.mark.parametrize(
    ("url", "text"),
    [
        ("admin:organization_agency_changelist", "Chọn cơ quan để thay đổi"),
        ("admin:organization_agency_add", "Thêm cơ quan"),
        ("admin:organization_unit_changelist", "Chọn đơn vị để thay đổi"),
        ("admin:organization_staff_changelist", "Chọn cán bộ để thay đổi"),
        ("admin:organization_division_changelist", "Chọn đơn vị hành chính để xem"),
        ("admin:organization_workcalendarconfig_changelist", "Chọn lịch làm việc để thay đổi"),
        ("admin:organization_workcalendarconfig_add", "Thêm lịch làm việc"),
        ("admin:catalog_procedure_changelist", "Chọn thủ tục hành chính để thay đổi"),
        ("admin:catalog_procedure_add", "Thêm thủ tục hành chính"),
        ("admin:catalog_procedureversion_changelist", "Chọn phiên bản thủ tục để thay đổi"),
        ("admin:catalog_procedureversion_add", "Thêm phiên bản thủ tục"),
        ("admin:dossiers_dossier_changelist", "Chọn hồ sơ để xem"),
    ],
)
def test_the_admin_opens_its_pages_in_vietnamese(admin_client, url, text):
    r = admin_client.get(reverse(url))

    assert r.status_code == 200
    assert text in r.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "admin:organization_agency_changelist",
        "admin:organization_unit_changelist",
        "admin:organization_staff_changelist",
        "admin:catalog_procedureversion_changelist",
        "admin:dossiers_dossier_changelist",
    ],
)
def test_list_pages_read_a_fixed_number_of_queries(admin_client, world, url):
    receive(world)
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse(url))
    more_rows(world)
    with CaptureQueriesContext(connection) as more:
        r = admin_client.get(reverse(url))

    assert r.status_code == 200
    assert len(more.captured_queries) == len(few.captured_queries)


def more_rows(world) -> None:
    """One more row of everything the list pages show, with its related rows."""
    agency = Agency.objects.create(
        code="H26.102",
        name="UBND Phường Cửa Nam",
        kind="commune",
        calendar=world.calendar,
        parent=world.centre,
    )
    unit = Unit.objects.create(agency=agency, code="mot-cua", name="Một cửa", is_desk=True)
    user = get_user_model().objects.create_user(username="hoa", first_name="Lê Thị Hoa")
    Staff.objects.create(user=user, agency=agency, unit=unit, role="desk")
    version = world.birth.versions.get()
    version.pk, version.version = None, 2
    version.save()
    receive(world)


def test_the_calendar_page_explains_when_an_override_takes_effect(admin_client, world):
    url = reverse("admin:organization_workcalendarconfig_change", args=[world.calendar.pk])
    r = admin_client.get(url)

    assert r.status_code == 200
    assert DECIDED_AT_HELP in r.content.decode()


def calendar_form(config, overrides=(), initial=0) -> dict[str, str]:
    """The calendar's change form as posted, with override rows."""
    data = {
        "name": config.name,
        "due_time_style": config.due_time_style,
        "morning_start": f"{config.morning_start:%H:%M}",
        "morning_end": f"{config.morning_end:%H:%M}",
        "afternoon_start": f"{config.afternoon_start:%H:%M}",
        "afternoon_end": f"{config.afternoon_end:%H:%M}",
        "late_cutoff": f"{config.late_cutoff:%H:%M}",
        "same_day_cutoff": f"{config.same_day_cutoff:%H:%M}",
        "excluded_holidays": '["Ngày Văn hóa Việt Nam"]',
        "overrides-TOTAL_FORMS": str(len(overrides)),
        "overrides-INITIAL_FORMS": str(initial),
        "overrides-MIN_NUM_FORMS": "0",
        "overrides-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(overrides):
        data.update(
            {
                f"overrides-{i}-calendar": str(config.pk),
                f"overrides-{i}-decided_at_0": "",
                f"overrides-{i}-decided_at_1": "",
            }
        )
        data.update({f"overrides-{i}-{key}": value for key, value in row.items()})
    return data


def post_calendar(client, config, **kwargs):
    url = reverse("admin:organization_workcalendarconfig_change", args=[config.pk])
    r = client.post(url, calendar_form(config, **kwargs))
    errors = r.context and [f.errors for f in r.context["inline_admin_formsets"][0].formset]
    assert r.status_code == 302, errors
    return r


def test_an_override_entered_in_the_admin_changes_the_calendar_at_once(admin_client, world):
    calendar = calendar_for(world.hoan_kiem)  # built and cached before the change
    assert not calendar.is_working_day(SATURDAY)
    assert calendar.is_working_day(MONDAY)
    before = timezone.now()

    post_calendar(
        admin_client,
        world.calendar,
        overrides=[
            {"day": "2026-11-28", "working": "on", "reason": "Làm bù theo QĐ 12/UBND"},
            {"day": "2026-11-30", "reason": "Nghỉ thêm theo QĐ 13/UBND"},
        ],
    )

    calendar = calendar_for(world.hoan_kiem)
    assert calendar.is_working_day(SATURDAY)
    assert not calendar.is_working_day(MONDAY)
    # An undated decision takes effect when it is saved.
    for override in CalendarOverride.objects.all():
        assert before <= override.decided_at <= timezone.now()


def test_an_override_removed_in_the_admin_is_forgotten_at_once(admin_client, world):
    post_calendar(
        admin_client,
        world.calendar,
        overrides=[{"day": "2026-11-28", "working": "on", "reason": "Làm bù"}],
    )
    assert calendar_for(world.hoan_kiem).is_working_day(SATURDAY)
    override = CalendarOverride.objects.get()

    post_calendar(
        admin_client,
        world.calendar,
        initial=1,
        overrides=[
            {
                "id": str(override.pk),
                "day": "2026-11-28",
                "working": "on",
                "reason": "Làm bù",
                "decided_at_0": f"{override.decided_at.astimezone(VN):%Y-%m-%d}",
                "decided_at_1": f"{override.decided_at.astimezone(VN):%H:%M:%S}",
                "DELETE": "on",
            }
        ],
    )

    assert not CalendarOverride.objects.exists()
    assert not calendar_for(world.hoan_kiem).is_working_day(SATURDAY)


def test_a_dated_decision_keeps_earlier_deadlines(admin_client, world):
    decided = at("2026-11-26 10:00")
    post_calendar(
        admin_client,
        world.calendar,
        overrides=[
            {
                "day": "2026-11-30",
                "reason": "Nghỉ thêm",
                "decided_at_0": "2026-11-26",
                "decided_at_1": "10:00:00",
            }
        ],
    )

    assert CalendarOverride.objects.get().decided_at == decided
    calendar = calendar_for(world.hoan_kiem)
    assert not calendar.is_working_day(MONDAY)
    assert calendar.as_of(decided - timedelta(seconds=1)).is_working_day(MONDAY)


def test_an_override_day_is_read_day_first(admin_client, world):
    # 05/12 is the fifth of December here, never the twelfth of May.
    post_calendar(
        admin_client,
        world.calendar,
        overrides=[{"day": "05/12/2026", "working": "on", "reason": "Làm bù"}],
    )

    assert CalendarOverride.objects.get().day == date(2026, 12, 5)
    assert calendar_for(world.hoan_kiem).is_working_day(date(2026, 12, 5))


def test_a_version_with_dossiers_is_read_only(admin_client, world):
    version = world.record.versions.get()
    url = reverse("admin:catalog_procedureversion_change", args=[version.pk])
    page = admin_client.get(url).content.decode()
    assert NO_DOSSIERS in page
    assert 'name="_save"' in page and 'name="documents-0-name"' in page

    receive(world)
    r = admin_client.get(url)

    assert r.status_code == 200
    page = r.content.decode()
    assert HAS_DOSSIERS in page
    assert 'name="_save"' not in page
    assert 'name="documents-0-name"' not in page  # the documents are not editable either
    r = admin_client.post(url, {"time_limit": "20"})
    assert r.status_code == 403
    version.refresh_from_db()
    assert version.time_limit == 10
    delete = reverse("admin:catalog_procedureversion_delete", args=[version.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_renaming_a_procedure_updates_its_search_key(admin_client, world):
    procedure = world.record
    version = procedure.versions.get()
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])

    r = admin_client.post(
        url,
        {
            "national": "on",
            "name": "Cấp Phiếu lý lịch tư pháp số 1",
            "field": "Lý lịch tư pháp",
            "level": "province",
            "verified": "on",
            "unverified_note": "",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": str(version.pk),
            "versions-0-procedure": str(procedure.pk),
        },
    )

    assert r.status_code == 302
    procedure.refresh_from_db()
    assert procedure.code == "3.000333"  # read-only once created
    assert procedure.search_key == "3.000333 cap phieu ly lich tu phap so 1"
    assert procedure.verified


def test_the_dossier_list_is_read_only_and_shows_no_personal_data(admin_client, world):
    d, other = receive(world), receive(world)

    found = admin_client.get(
        reverse("admin:dossiers_dossier_changelist"), {"q": f" {d.code.lower()} "}
    ).content.decode()
    assert d.code in found
    assert other.code not in found
    detail = admin_client.get(reverse("admin:dossiers_dossier_change", args=[d.pk]))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert d.code in page
    assert "Trần Văn Bình" not in page
    assert "001203012345" not in page
    assert 'name="_save"' not in page
    assert admin_client.get(reverse("admin:dossiers_dossier_add")).status_code == 403
    delete = reverse("admin:dossiers_dossier_delete", args=[d.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_a_post_in_a_unit_of_another_agency_is_refused(admin_client, world):
    user = get_user_model().objects.create_user(
        username="hoa", first_name="Lê Thị", last_name="Hoa"
    )
    other_unit = Unit.objects.get(agency=world.justice, code="lanh-dao")

    r = admin_client.post(
        reverse("admin:organization_staff_add"),
        {
            "user": str(user.pk),
            "agency": str(world.hoan_kiem.pk),
            "unit": str(other_unit.pk),
            "role": "specialist",
            "title": "",
        },
    )

    assert r.status_code == 200
    assert "không thuộc UBND Phường Hoàn Kiếm" in r.content.decode()
    assert not Staff.objects.filter(user=user).exists()


def test_an_agency_code_is_checked_and_normalised(admin_client, world):
    data = {
        "name": "UBND Phường Cửa Nam",
        "short_name": "",
        "kind": "commune",
        "calendar": str(world.calendar.pk),
        "address": "",
        "phone": "",
        "is_active": "on",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    bad = admin_client.post(reverse("admin:organization_agency_add"), {**data, "code": "H26-102"})
    assert bad.status_code == 200
    assert "ký tự không hợp lệ" in bad.content.decode()

    good = admin_client.post(reverse("admin:organization_agency_add"), {**data, "code": "h26.102"})
    assert good.status_code == 302
    assert world.calendar.agency_set.filter(code="H26.102").exists()


def agency_form(agency, units) -> dict[str, str]:
    """An agency's change form as posted, with its units inline."""
    data = {
        "name": agency.name,
        "short_name": agency.short_name,
        "kind": agency.kind,
        "parent": str(agency.parent_id or ""),
        "division": "",
        "serves": str(agency.serves_id or ""),
        "calendar": str(agency.calendar_id),
        "address": "",
        "phone": "",
        "is_active": "on",
        "units-TOTAL_FORMS": str(len(units)),
        "units-INITIAL_FORMS": str(len(units)),
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    for i, unit in enumerate(units):
        data.update(
            {
                f"units-{i}-id": str(unit.pk),
                f"units-{i}-agency": str(agency.pk),
                f"units-{i}-code": unit.code,
                f"units-{i}-name": unit.name,
                f"units-{i}-is_desk": "on" if unit.is_desk else "",
            }
        )
    return data


def test_an_agency_and_its_units_changed_in_the_admin_are_routed_to_at_once(admin_client, world):
    justice = world.justice
    assert agency_by_code(justice.code).name == "Sở Tư pháp"  # cached before the change
    assert unit_of(justice.pk, "lanh-dao").name == "Lãnh đạo"
    units = list(justice.units.order_by("pk"))
    data = agency_form(justice, units)
    data["name"] = "Sở Tư pháp Thành phố Hà Nội"
    leaders = next(i for i, unit in enumerate(units) if unit.code == "lanh-dao")
    data[f"units-{leaders}-name"] = "Ban Giám đốc"
    desk = next(i for i, unit in enumerate(units) if unit.code == "mot-cua")
    data[f"units-{desk}-DELETE"] = "on"  # no staff post refers to it

    r = admin_client.post(reverse("admin:organization_agency_change", args=[justice.pk]), data)

    assert r.status_code == 302, r.context and r.context["errors"]
    assert agency_by_code(justice.code).name == "Sở Tư pháp Thành phố Hà Nội"
    assert unit_of(justice.pk, "lanh-dao").name == "Ban Giám đốc"
    assert unit_of(justice.pk, "mot-cua") is None


def test_a_unit_changed_or_deleted_on_its_own_page_is_seen_at_once(admin_client, world):
    social = world.social
    unit = unit_of(social.pk, "thu-so-the")
    desk = unit_of(social.pk, "mot-cua")
    assert (unit.name, desk.name) == ("Phòng Thu - Sổ, thẻ", "Bộ phận Một cửa")

    r = admin_client.post(
        reverse("admin:organization_unit_change", args=[unit.pk]),
        {"agency": str(social.pk), "code": "thu-so-the", "name": "Phòng Thu", "is_desk": ""},
    )
    assert r.status_code == 302
    r = admin_client.post(
        reverse("admin:organization_unit_delete", args=[desk.pk]), {"post": "yes"}
    )
    assert r.status_code == 302

    assert unit_of(social.pk, "thu-so-the").name == "Phòng Thu"
    assert unit_of(social.pk, "mot-cua") is None


def test_a_version_changed_in_the_admin_is_received_under_at_once(admin_client, world):
    version = procedure_versions(world.record.code)[0]  # cached before the change
    assert version.time_limit == 10
    data = {
        "procedure": str(world.record.pk),
        "version": "1",
        "effective_from": "2025-07-01",
        "competent": version.competent,
        "time_limit": "12",
        "time_limit_unit": version.time_limit_unit,
        "time_limit_note": "",
        "fee": "0",
        "fee_note": "",
        "online_level": "",
        "legal_basis": "",
        "result": "",
    }
    for prefix, rows in (("documents", documents_of(version)), ("steps", steps_of(version))):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(len(rows)),
                f"{prefix}-INITIAL_FORMS": str(len(rows)),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = str(row.pk)
            data[f"{prefix}-{i}-version"] = str(version.pk)
            data.update(
                {f"{prefix}-{i}-{field}": str(value) for field, value in inline_values(row).items()}
            )
    data["steps-1-allotment"] = "9"  # Xử lý: 7 -> 9 working days

    r = admin_client.post(reverse("admin:catalog_procedureversion_change", args=[version.pk]), data)

    assert r.status_code == 302, r.context and r.context["errors"]
    version = procedure_versions(world.record.code)[0]
    assert version.time_limit == 12
    assert [step.allotment for step in steps_of(version)] == [Decimal("0.5"), 9, Decimal("2.5")]


def inline_values(row) -> dict[str, object]:
    """The editable fields of a document or step row, as its inline posts them."""
    if isinstance(row, StepTemplate):
        names = ["order", "name", "agency_ref", "unit_code", "role", "allotment"]
    else:
        names = ["order", "name", "copies"]
    values: dict[str, object] = {name: getattr(row, name) for name in names}
    for flag in ("original", "optional", "show_only"):
        if getattr(row, flag, False):
            values[flag] = "on"
    return values


@pytest.mark.parametrize(
    ("name", "note", "field", "message"),
    [
        ("Cấp Phiếu \u202elý lịch", "", "name", "Tên thủ tục có một ký tự không được phép"),
        ("Cấp Phiếu\u200b lý lịch", "", "name", "U+200B ở vị trí 10"),
        ("Cấp Phiếu", "Dòng 1\nDòng 2\x07", "unverified_note", "ký tự điều khiển U+0007"),
    ],
)
def test_the_admin_refuses_control_bidi_and_invisible_characters(
    admin_client, world, name, note, field, message
):
    procedure = world.record
    version = procedure.versions.get()
    url = reverse("admin:catalog_procedure_change", args=[procedure.pk])

    r = admin_client.post(
        url,
        {
            "national": "on",
            "name": name,
            "field": "Lý lịch tư pháp",
            "level": "province",
            "unverified_note": note,
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": str(version.pk),
            "versions-0-procedure": str(procedure.pk),
        },
    )

    assert r.status_code == 200
    (shown,) = r.context["adminform"].form.errors[field]
    assert message in shown
    procedure.refresh_from_db()
    assert procedure.name == "Cấp Phiếu lý lịch tư pháp"


def test_the_admin_keeps_line_breaks_in_a_note(admin_client, world):
    procedure = world.record
    version = procedure.versions.get()
    r = admin_client.post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        {
            "national": "on",
            "name": procedure.name,
            "field": "Lý lịch tư pháp",
            "level": "province",
            "unverified_note": "Dòng 1\r\nDòng 2\tcột",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": str(version.pk),
            "versions-0-procedure": str(procedure.pk),
        },
    )
    assert r.status_code == 302
    procedure.refresh_from_db()
    assert procedure.unverified_note == "Dòng 1\r\nDòng 2\tcột"


def test_the_admin_stores_decomposed_text_composed(admin_client, world):
    import unicodedata

    procedure = world.record
    version = procedure.versions.get()
    name = "Cấp Phiếu lý lịch tư pháp số 2"
    r = admin_client.post(
        reverse("admin:catalog_procedure_change", args=[procedure.pk]),
        {
            "national": "on",
            "name": unicodedata.normalize("NFD", name),
            "field": unicodedata.normalize("NFD", "Lý lịch tư pháp"),
            "level": "province",
            "unverified_note": unicodedata.normalize("NFD", "Cần kiểm tra\nlệ phí"),
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "1",
            "versions-MIN_NUM_FORMS": "0",
            "versions-MAX_NUM_FORMS": "1000",
            "versions-0-id": str(version.pk),
            "versions-0-procedure": str(procedure.pk),
        },
    )
    assert r.status_code == 302
    procedure.refresh_from_db()
    assert (procedure.name, procedure.field, procedure.unverified_note) == (
        name,
        "Lý lịch tư pháp",
        "Cần kiểm tra\nlệ phí",
    )


@pytest.mark.parametrize(
    ("model", "data"),
    [
        ("unit", {"agency": "abc", "code": "mot-cua", "name": "Bộ phận Một cửa"}),
        ("staff", {"user": "abc", "agency": "1e3", "unit": "-"}),
        ("agency", {"parent": "abc", "code": "H26.999", "name": "Cơ quan thử"}),
    ],
)
def test_an_autocomplete_holding_what_is_not_an_id_shows_the_form_again(
    admin_client, world, model, data
):
    """Django's autocomplete filtered by the value sent: "abc" for a number was a 500."""
    before = {m.__name__: m.objects.count() for m in (Agency, Unit, Staff)}
    r = admin_client.post(reverse(f"admin:organization_{model}_add"), data)
    assert r.status_code == 200
    assert r.context["adminform"].form.errors
    assert {m.__name__: m.objects.count() for m in (Agency, Unit, Staff)} == before


def test_an_action_on_rows_that_are_not_ids_is_refused_with_a_message(admin_client, world):
    before = Agency.objects.count()
    r = admin_client.post(
        reverse("admin:organization_agency_changelist"),
        {"action": "delete_selected", "_selected_action": ["abc"], "index": "0"},
        follow=True,
    )
    assert r.status_code == 200
    assert "Lựa chọn không hợp lệ; hãy chọn lại các dòng trong danh sách." in r.content.decode()
    assert Agency.objects.count() == before


def test_an_action_on_users_that_are_not_ids_is_refused_with_a_message(admin_client, world):
    """Django's own user admin filtered by the value sent as well: "abc" was a 500."""
    from django.contrib.auth import get_user_model

    before = get_user_model().objects.count()
    r = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": ["abc"], "index": "0"},
        follow=True,
    )
    assert r.status_code == 200
    assert "Lựa chọn không hợp lệ; hãy chọn lại các dòng trong danh sách." in r.content.decode()
    assert get_user_model().objects.count() == before


def test_an_agency_symbol_is_checked_and_written_in_capitals(admin_client, world):
    data = {
        "code": "H26.102",
        "name": "Công an Phường Cửa Nam",
        "short_name": "",
        "kind": "police",
        "calendar": str(world.calendar.pk),
        "address": "",
        "phone": "",
        "is_active": "on",
        "units-TOTAL_FORMS": "0",
        "units-INITIAL_FORMS": "0",
        "units-MIN_NUM_FORMS": "0",
        "units-MAX_NUM_FORMS": "1000",
    }
    bad = admin_client.post(reverse("admin:organization_agency_add"), {**data, "symbol": "CA P"})
    assert bad.status_code == 200
    assert "Ký hiệu cơ quan «CA P» không hợp lệ" in bad.content.decode()

    good = admin_client.post(reverse("admin:organization_agency_add"), {**data, "symbol": "cap"})
    assert good.status_code == 302
    assert Agency.objects.get(code="H26.102").symbol == "CAP"
