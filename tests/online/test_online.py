"""Online submission: draft → submit → the desk accepts; declare once; the worker's passes.

Personas: An (a citizen with an account), Bình (another citizen); Lan (desk, Hoàn Kiếm)."""

from __future__ import annotations

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.catalog.models import RequiredDocument
from motcua.catalog.selectors import catalog_cache_clear
from motcua.citizens import session
from motcua.citizens.models import Citizen
from motcua.core import fees
from motcua.core.errors import InvalidInput, NotFound, ValidationError
from motcua.core.lifecycle import Action
from motcua.dossiers.models import Dossier, DossierScan
from motcua.dossiers.services import ScanUpload, dossier_act
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_deliver
from motcua.online import selectors, services
from motcua.online.models import Draft, HeldPaperRequest, ReceptionWatch
from motcua.organization.models import Division
from motcua.payments.services import dossier_amount_due
from tests import scanfiles
from tests.conftest import at

FIELDS = [
    {
        "name": "ho_ten",
        "label": "Họ, chữ đệm và tên người yêu cầu",
        "kind": "text",
        "required": True,
    },
    {
        "name": "so_dinh_danh",
        "label": "Số định danh cá nhân",
        "kind": "id_number",
        "required": True,
    },
    {"name": "thu_dien_tu", "label": "Thư điện tử", "kind": "email", "required": False},
    {"name": "noi_cu_tru", "label": "Nơi cư trú", "kind": "address", "required": True},
    {"name": "tre_ho_ten", "label": "Họ, chữ đệm và tên của trẻ", "kind": "text", "required": True},
    {"name": "tre_ngay_sinh", "label": "Ngày sinh của trẻ", "kind": "date", "required": True},
]


@pytest.fixture
def online(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    version = world.birth.versions.get()
    version.form_fields = FIELDS
    version.online_level = "toàn trình"
    version.result = "Giấy khai sinh (bản chính)"
    version.save()
    # The second paper asks for a birth certificate: an earlier result may stand for it.
    version.documents.filter(order=1).update(name="Bản sao giấy khai sinh của người mẹ")
    from motcua.catalog.selectors import catalog_cache_clear

    catalog_cache_clear()
    hanoi = Division.objects.create(code="01", name="Thành phố Hà Nội", kind="thành phố")
    Division.objects.create(code="00070", name="Phường Hoàn Kiếm", kind="phường", parent=hanoi)
    other = Division.objects.create(code="79", name="Thành phố Hồ Chí Minh", kind="thành phố")
    Division.objects.create(code="26734", name="Phường Sài Gòn", kind="phường", parent=other)
    from django.contrib.auth.models import User

    User.objects.filter(pk=world.lan.user_id).update(email="lan@hoankiem.example.vn")
    return world


@pytest.fixture
def an(db):
    return Citizen.objects.create(
        email="an@example.vn",
        full_name="Nguyễn Văn An",
        id_number="001203004567",
        address="12 Hàng Bạc",
        created_at=timezone.now(),
    )


@pytest.fixture
def binh(db):
    return Citizen.objects.create(email="binh@example.vn", created_at=timezone.now())


def papers(world):
    return list(RequiredDocument.objects.filter(version__procedure=world.birth).order_by("order"))


GOOD = {
    "tre_ho_ten": "Nguyễn Minh Khang",
    "tre_ngay_sinh": "2026-11-20",
    "noi_cu_tru": {"province": "01", "ward": "00070", "street": "12 Hàng Bạc"},
}


def filled(world, an, now):
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    docs = papers(world)
    return services.draft_save(
        draft=draft,
        data=services.DraftInput(
            values={**draft.values, **GOOD},
            place_id=world.hoan_kiem.pk,
            delivery="electronic",
            uploads={d.pk: ScanUpload(name=f"{d.order}.png", data=scanfiles.PNG) for d in docs},
        ),
        now=now,
    )


def test_it_prefills_from_the_profile(online, an):
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=at("2026-11-25 09:00"))
    assert draft.values["ho_ten"] == "Nguyễn Văn An"
    assert draft.values["so_dinh_danh"] == "001203004567"
    assert draft.values["thu_dien_tu"] == "an@example.vn"
    assert draft.values["noi_cu_tru"]["street"] == "12 Hàng Bạc"


def counter_dossier(world, *, id_number, name, address, when="2026-11-20 09:00"):
    """A dossier lodged at the counter under this ID number, with no account tied to it."""
    from motcua.core.reception import Applicant
    from motcua.dossiers.services import dossier_receive
    from tests.dossiers.test_services import intake

    applicant = Applicant(name=name, id_number=id_number, address=address, email="quay@example.vn")
    return dossier_receive(
        intake=intake(world, world.birth, applicant=applicant), actor=world.lan, now=at(when)
    )


def test_it_prefills_from_counter_dossiers_under_the_verified_id_number(online, an):
    counter_dossier(online, id_number=an.id_number, name="Nguyễn Văn Ann", address="1 Hàng Đào")
    newest = "2026-11-23 09:00"
    counter_dossier(
        online, id_number=an.id_number, name="Nguyễn Văn An", address="2 Hàng Đào", when=newest
    )
    Citizen.objects.filter(pk=an.pk).update(id_verified=True, full_name="", address="")
    an.refresh_from_db()
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=at("2026-11-25 09:00"))
    # The newest counter dossier fills what the profile and earlier submissions left empty.
    assert draft.values["ho_ten"] == "Nguyễn Văn An"
    assert draft.values["noi_cu_tru"] == {"province": "", "ward": "", "street": "2 Hàng Đào"}
    assert draft.values["thu_dien_tu"] == "an@example.vn"  # the profile's wins


def test_a_typed_id_number_does_not_open_the_counter_dossiers(online, an, binh):
    counter_dossier(online, id_number=an.id_number, name="Nguyễn Văn An", address="1 Hàng Đào")
    # Bình types An's number into the profile: it is not verified, nothing of An's shows.
    from motcua.citizens.services import update_profile

    update_profile(citizen_id=binh.pk, full_name="Trần Bình", id_number=an.id_number, address="")
    binh.refresh_from_db()
    draft = services.draft_start(
        citizen=binh, procedure_code="1.001193", now=at("2026-11-25 09:00")
    )
    assert "dien_thoai" not in draft.values and "noi_cu_tru" not in draft.values
    # A verified account that types another number loses the verification.
    Citizen.objects.filter(pk=an.pk).update(id_verified=True)
    update_profile(citizen_id=an.pk, full_name=an.full_name, id_number="001203009999", address="")
    assert not Citizen.objects.get(pk=an.pk).id_verified


def test_draft_submit_accept_with_the_receipt_once(online, an):
    now = at("2026-11-25 09:00")
    draft = filled(online, an, now)
    dossier = services.draft_submit(draft=draft, now=now)
    assert (dossier.status, dossier.channel, dossier.citizen_id) == (1, 2, an.pk)
    assert dossier.code is None and dossier.applicant_name == "Nguyễn Văn An"
    assert DossierScan.objects.filter(dossier=dossier).count() == 2
    # A double submission (the same draft again) is the one dossier.
    assert services.draft_submit(draft=draft, now=now).pk == dossier.pk
    assert Dossier.objects.count() == 1
    # The desk sees it in its online queue and accepts it.
    accepted = dossier_act(
        dossier=dossier, action=Action.RECEIVE, actor=online.lan, now=at("2026-11-25 10:00")
    )
    assert accepted.code and accepted.status == 2
    outbox_deliver(now=at("2026-11-25 10:01"))
    receipts = [m for m in mail.outbox if accepted.code in m.body and "mẫu 01" in m.body]
    assert len(receipts) == 1 and receipts[0].to == ["an@example.vn"]
    assert reverse("online:receipt") in receipts[0].body
    outbox_deliver(now=at("2026-11-25 10:05"))
    assert len([m for m in mail.outbox if "mẫu 01" in m.body]) == 1


def test_clock_starts_from_arrival_with_the_late_hour_rule(online, an):
    # Submitted at 16:30 (the last working hour): the clock counts from the next working day.
    draft = filled(online, an, at("2026-11-25 16:30"))
    dossier = services.draft_submit(draft=draft, now=at("2026-11-25 16:30"))
    accepted = dossier_act(
        dossier=dossier, action=Action.RECEIVE, actor=online.lan, now=at("2026-11-26 09:00")
    )
    # Same-day procedure counted from Thu 08:00, received after 15:00 rules aside: due Thu.
    assert (
        accepted.due_at.astimezone(at("2026-11-26 00:00").tzinfo).date().isoformat() == "2026-11-26"
    )


def test_missing_field_and_paper_are_refused_at_once(online, an):
    now = at("2026-11-25 09:00")
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    with pytest.raises(InvalidInput) as caught:
        services.draft_submit(draft=draft, now=now)
    fields = {p.details.get("field") for p in caught.value.problems()}
    docs = papers(online)
    assert {"tre_ho_ten", "tre_ngay_sinh", "place", f"paper_{docs[0].pk}"} <= fields
    assert Dossier.objects.count() == 0 and Draft.objects.get().state == "open"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (scanfiles.EXE, "paper"),  # an .exe renamed .pdf
        (scanfiles.FAKE_PNG, "paper"),
        (b"x" * (10 * 1024 * 1024 + 1), "paper"),
    ],
)
def test_disguised_or_oversized_files_are_refused(online, an, data, field):
    now = at("2026-11-25 09:00")
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    doc = papers(online)[0]
    with pytest.raises(InvalidInput) as caught:
        services.draft_save(
            draft=draft,
            data=services.DraftInput(
                values=draft.values, uploads={doc.pk: ScanUpload(name="giay.pdf", data=data)}
            ),
            now=now,
        )
    assert [p.details["field"] for p in caught.value.problems()] == [f"paper_{doc.pk}"]
    assert not draft.papers.exists()


def test_a_pdf_bomb_and_a_30_mb_image_are_refused(online, an, settings):
    from tests.core.test_scans import _pdf_with_stream

    settings.SCAN_MAX_BYTES = 1 << 20
    now = at("2026-11-25 09:00")
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    first, second = papers(online)
    huge = scanfiles.PNG + b"\0" * (30 << 20)
    with pytest.raises(InvalidInput) as caught:
        services.draft_save(
            draft=draft,
            data=services.DraftInput(
                values=draft.values,
                uploads={
                    first.pk: ScanUpload(name="bom.pdf", data=_pdf_with_stream(40 << 20)),
                    second.pk: ScanUpload(name="anh.png", data=huge),
                },
            ),
            now=now,
        )
    messages = {p.details["field"]: p.message for p in caught.value.problems()}
    assert "nén bất thường" in messages[f"paper_{first.pk}"]
    assert "lớn hơn giới hạn 1 MB" in messages[f"paper_{second.pk}"]
    assert not draft.papers.exists()


def test_tampered_values_are_refused(online, an):
    now = at("2026-11-25 09:00")
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    with pytest.raises(InvalidInput) as caught:
        services.draft_save(
            draft=draft,
            data=services.DraftInput(
                values={
                    **draft.values,
                    "so_dinh_danh": "12345",
                    "noi_cu_tru": {"province": "01", "ward": "26734", "street": ""},
                },
                place_id=online.centre.pk,  # not a commune: a commune-level procedure
                delivery="drone",
            ),
            now=now,
        )
    fields = {p.details.get("field") for p in caught.value.problems()}
    assert fields == {"so_dinh_danh", "noi_cu_tru", "place", "delivery"}
    draft.refresh_from_db()
    assert draft.place is None and draft.values["so_dinh_danh"] == "001203004567"


def test_another_citizens_draft_is_not_found(online, an, binh):
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=timezone.now())
    with pytest.raises(NotFound):
        selectors.draft_of(binh, draft.pk)


def test_declare_once_reuses_an_earlier_result_and_counts_a_request_for_it(online, an, binh):
    now = at("2026-11-25 09:00")
    earlier = (
        Dossier.objects.create(
            **{
                f.name: getattr(d, f.name)
                for d in [services.draft_submit(draft=filled(online, an, now), now=now)]
                for f in []
            }
        )
        if False
        else services.draft_submit(draft=filled(online, an, now), now=now)
    )
    Dossier.objects.filter(pk=earlier.pk).update(status=10, code="H26.100-261125-0001")
    docs = papers(online)
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    # The earlier dossier's values are offered again (declare once).
    assert draft.values["tre_ho_ten"] == "Nguyễn Minh Khang"
    with pytest.raises(InvalidInput):  # someone else's result cannot be chosen
        services.draft_save(
            draft=draft,
            data=services.DraftInput(values=draft.values, reuse={docs[1].pk: earlier.pk + 99}),
            now=now,
        )
    draft = services.draft_save(
        draft=draft,
        data=services.DraftInput(
            values=draft.values,
            place_id=online.hoan_kiem.pk,
            uploads={docs[0].pk: ScanUpload(name="a.pdf", data=scanfiles.PDF)},
            reuse={docs[1].pk: earlier.pk},
        ),
        now=now,
    )
    dossier = services.draft_submit(draft=draft, now=now)
    assert [(name, src.pk) for name, src in selectors.held_papers(dossier)] == [
        (docs[1].name, earlier.pk)
    ]
    # The desk asks for it anyway: only with a reason, recorded and counted per agency.
    with pytest.raises(ValidationError):
        services.held_paper_requests_record(
            dossier=dossier, actor=online.lan, items=[docs[1].name], reason="", now=now
        )
    assert (
        services.held_paper_requests_record(
            dossier=dossier, actor=online.lan, items=[docs[1].name], reason="Bản cũ bị mờ", now=now
        )
        == 1
    )
    assert selectors.held_requests_by_agency() == {online.hoan_kiem.pk: 1}
    assert HeldPaperRequest.objects.get().reason == "Bản cũ bị mờ"


def test_a_result_of_another_kind_is_neither_offered_nor_taken(online, an, client):
    now = at("2026-11-25 09:00")
    birth = services.draft_submit(draft=filled(online, an, now), now=now)
    # The same citizen's second dossier, made a death registration's result below.
    death = services.draft_submit(draft=filled(online, an, now), now=now)
    Dossier.objects.filter(pk=birth.pk).update(status=10, code="H26.100-261125-0001")
    Dossier.objects.filter(pk=death.pk).update(status=10, code="H26.100-261125-0002")
    version = online.birth.versions.get()
    other = type(version).objects.get(pk=version.pk)
    other.pk = None
    other.version = 2
    other.effective_from = other.effective_from.replace(year=2027)
    other.result = "Trích lục khai tử (bản chính)"
    other.save()
    Dossier.objects.filter(pk=death.pk).update(procedure_version=other)
    docs = papers(online)
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    with pytest.raises(InvalidInput) as info:
        services.draft_save(
            draft=draft,
            data=services.DraftInput(values=draft.values, reuse={docs[1].pk: death.pk}),
            now=now,
        )
    assert [p.details["field"] for p in info.value.problems()] == [f"reuse_{docs[1].pk}"]
    assert "không phải loại giấy tờ" in info.value.problems()[0].template
    assert not draft.papers.exists()
    # The birth certificate fits; the page offers it, and only it, for that paper only.
    services.draft_save(
        draft=draft,
        data=services.DraftInput(values=draft.values, reuse={docs[1].pk: birth.pk}),
        now=now,
    )
    assert draft.papers.get().source_id == birth.pk
    sign_in(client, an)
    html = client.get(reverse("online:draft", args=[draft.pk])).content.decode()
    assert "Giấy khai sinh (bản chính) – H26.100-261125-0001" in html
    assert "H26.100-261125-0002" not in html
    assert f'name="reuse_{docs[0].pk}"' not in html  # nothing issued fits the form itself


def test_worker_alerts_the_desk_once_and_marks_late_reception(online, an):
    arrived = at("2026-11-25 10:00")
    dossier = services.draft_submit(draft=filled(online, an, arrived), now=arrived)
    report = services.process_online(now=at("2026-11-25 10:05"))
    assert (report.alerted, report.late) == (1, 0)
    assert services.process_online(now=at("2026-11-25 11:00")).alerted == 0
    alerts = OutboxMessage.objects.filter(template="online/email/alert")
    assert [m.recipient for m in alerts] == ["lan@hoankiem.example.vn"]
    assert services.process_online(now=at("2026-11-26 09:59")).late == 0
    assert services.process_online(now=at("2026-11-26 10:00")).late == 1
    assert ReceptionWatch.objects.get(dossier=dossier).late_at == at("2026-11-26 10:00")


def test_the_reception_clocks_restart_from_the_resubmission(online, an, client):
    from motcua.dossiers.services import dossier_answer_supplement

    arrived = at("2026-11-25 10:00")  # Wednesday
    dossier = services.draft_submit(draft=filled(online, an, arrived), now=arrived)
    assert services.process_online(now=at("2026-11-25 10:05")).alerted == 1
    asked = dossier_act(
        dossier=dossier,
        action=Action.REQUEST_SUPPLEMENT,
        actor=online.lan,
        now=at("2026-11-25 11:00"),
        missing=["Bản sao giấy khai sinh của người mẹ rõ hơn"],
    )
    # Waiting for the citizen: the first round's 8 hours (Thursday 10:00) pass unmarked.
    assert services.process_online(now=at("2026-11-26 14:00")).late == 0
    watch = ReceptionWatch.objects.get(dossier=dossier)
    assert watch.done_at is None and watch.late_at is None
    resubmitted = at("2026-11-26 15:00")
    dossier_answer_supplement(
        dossier=asked,
        citizen_id=an.pk,
        files={0: ScanUpload(name="me.pdf", data=scanfiles.PDF)},
        now=resubmitted,
    )
    # The desk's queue counts the wait from the resubmission, not from Wednesday.
    client.force_login(
        __import__("django.contrib.auth.models", fromlist=["User"]).User.objects.get(
            pk=online.lan.user_id
        )
    )
    with time_machine.travel(at("2026-11-26 16:00"), tick=False):
        queue = client.get(reverse("desk:online")).content.decode()
    assert "1,0 giờ làm việc" in queue or "1.0 giờ làm việc" in queue
    assert "Trễ tiếp nhận" not in queue
    # The worker restarts both clocks: the desk is alerted again, late only 8 hours on.
    report = services.process_online(now=at("2026-11-26 15:05"))
    assert (report.alerted, report.late) == (1, 0)
    watch.refresh_from_db()
    assert (watch.arrived_at, watch.late_at) == (resubmitted, None)
    assert OutboxMessage.objects.filter(template="online/email/alert").count() == 2
    assert services.process_online(now=at("2026-11-26 16:00")).alerted == 0  # once a round
    assert services.process_online(now=at("2026-11-27 14:59")).late == 0
    assert services.process_online(now=at("2026-11-27 15:00")).late == 1
    watch.refresh_from_db()
    assert watch.late_at == at("2026-11-27 15:00")


def test_worker_closes_a_stale_draft_with_a_notice(online, an):
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=at("2026-11-25 10:00"))
    assert services.drafts_close_stale(now=at("2026-12-16 09:59")) == 0
    assert services.drafts_close_stale(now=at("2026-12-16 10:00")) == 1
    draft.refresh_from_db()
    assert draft.state == "closed"
    outbox_deliver(now=at("2026-12-16 10:01"))
    assert len(mail.outbox) == 1 and "đã được đóng" in mail.outbox[0].body
    assert services.drafts_close_stale(now=at("2026-12-17 10:00")) == 0


def sign_in(client, citizen):
    s = client.session
    s[session.CITIZEN_KEY] = citizen.pk
    s[session.CITIZEN_HASH] = session._hash(citizen)
    s.save()


@time_machine.travel(at("2026-11-25 09:00"), tick=False)
def test_pages_fill_save_and_submit(online, an, binh, client):
    page = client.get(reverse("portal:procedure", args=["1.001193"]))
    assert "Nộp trực tuyến" in page.content.decode()
    start = client.get(reverse("online:start", args=["1.001193"]))
    assert start.status_code == 302 and "dang-nhap" in start.url
    sign_in(client, an)
    start = client.get(reverse("online:start", args=["1.001193"]))
    assert start.status_code == 200 and "Bắt đầu khai hồ sơ" in start.content.decode()
    assert not Draft.objects.exists()  # a GET changes nothing
    start = client.post(reverse("online:start", args=["1.001193"]))
    draft = Draft.objects.get()
    assert start.url == reverse("online:draft", args=[draft.pk])
    form = client.get(start.url)
    html = form.content.decode()
    assert form.status_code == 200 and 'lang="vi"' in html and "Nguyễn Văn An" in html
    assert "Lệ phí phải nộp" in html and "Miễn phí" in html  # the catalog's fee: 0
    docs = papers(online)
    post = {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "0012",
        "noi_cu_tru__province": "01",
        "noi_cu_tru__ward": "00070",
        "tre_ho_ten": "Nguyễn Minh Khang",
        "tre_ngay_sinh": "2026-11-20",
        "place": str(online.hoan_kiem.pk),
        "delivery": "electronic",
        "action": "submit",
    }
    bad = client.post(start.url, post)
    assert bad.status_code == 400 and "Số định danh" in bad.content.decode()
    assert Dossier.objects.count() == 0
    post["so_dinh_danh"] = "001203004567"
    from django.core.files.uploadedfile import SimpleUploadedFile

    files = {
        f"paper_{d.pk}": SimpleUploadedFile(f"{d.order}.png", scanfiles.PNG, "image/png")
        for d in docs
    }
    done = client.post(start.url, {**post, **files})
    assert done.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == 1 and dossier.citizen_id == an.pk
    assert "Đã nộp hồ sơ" in client.get(start.url).content.decode()
    again = client.post(start.url, {**post, **files})  # the page sent twice
    assert again.status_code == 200 and Dossier.objects.count() == 1
    # Bình cannot open An's draft.
    sign_in(client, binh)
    assert client.get(start.url).status_code == 404
    # The desk's online queue lists it, with the reception limit in words.
    client.force_login(
        __import__("django.contrib.auth.models", fromlist=["User"]).User.objects.get(
            pk=online.lan.user_id
        )
    )
    queue = client.get(reverse("desk:online")).content.decode()
    assert "Nguyễn Văn An" in queue and "8 giờ làm việc" in queue


def test_drafts_list_and_public_receipt(online, an, client):
    now = timezone.now()
    services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    sign_in(client, an)
    listing = client.get(reverse("online:drafts"))
    assert listing.status_code == 200 and "Đăng ký khai sinh" in listing.content.decode()
    assert (
        client.get(
            reverse("online:receipt"), {"code": "H26.1-261125-0001", "secret": "ABCD-EFGH"}
        ).status_code
        == 404
    )


def reused_dossier(online, an):
    """An's online dossier whose birth certificate paper is an earlier result, by reference."""
    now = at("2026-11-25 09:00")
    earlier = services.draft_submit(draft=filled(online, an, now), now=now)
    Dossier.objects.filter(pk=earlier.pk).update(status=10, code="H26.100-261125-0001")
    docs = papers(online)
    draft = services.draft_start(citizen=an, procedure_code="1.001193", now=now)
    draft = services.draft_save(
        draft=draft,
        data=services.DraftInput(
            values=draft.values,
            place_id=online.hoan_kiem.pk,
            uploads={docs[0].pk: ScanUpload(name="a.pdf", data=scanfiles.PDF)},
            reuse={docs[1].pk: earlier.pk},
        ),
        now=now,
    )
    return services.draft_submit(draft=draft, now=now), docs


@time_machine.travel(at("2026-11-25 10:00"), tick=False)
def test_desk_asking_again_for_a_held_paper_needs_a_reason(online, an, client):
    from django.contrib.auth.models import User

    dossier, docs = reused_dossier(online, an)
    client.force_login(User.objects.get(pk=online.lan.user_id))
    page = client.get(reverse("desk:dossier", args=[dossier.pk])).content.decode()
    assert "Tờ khai trực tuyến" in page and "Nguyễn Minh Khang" in page
    assert "H26.100-261125-0001" in page
    post = {
        "action": "request_supplement",
        "version": dossier.version,
        "missing": docs[1].name,
    }
    refused = client.post(reverse("desk:act", args=[dossier.pk]), post)
    assert refused.status_code == 400 and "phải ghi lý do" in refused.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == 1 and not HeldPaperRequest.objects.exists()
    done = client.post(
        reverse("desk:act", args=[dossier.pk]), {**post, "held_reason": "Bản điện tử bị lỗi"}
    )
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.supplement_requests == 1
    assert HeldPaperRequest.objects.get().reason == "Bản điện tử bị lỗi"
    assert services.process_online(now=at("2026-11-25 10:30")).late == 0
    client.force_login(User.objects.get(pk=online.son.user_id))
    leader = client.get(reverse("desk:leader")).content.decode()
    assert "1 lần cơ quan yêu cầu công dân nộp lại giấy tờ hệ thống đã có" in leader


def test_the_queue_flags_late_reception_and_the_citizen_opens_form_01(online, an, client):
    from django.contrib.auth.models import User

    arrived = at("2026-11-25 10:00")
    dossier = services.draft_submit(draft=filled(online, an, arrived), now=arrived)
    client.force_login(User.objects.get(pk=online.lan.user_id))
    with time_machine.travel(at("2026-11-25 11:00"), tick=False):
        queue = client.get(reverse("desk:online")).content.decode()
    assert "Trễ tiếp nhận" not in queue and "Quá 2 giờ" not in queue
    with time_machine.travel(at("2026-11-25 13:30"), tick=False):
        assert "Quá 2 giờ" in client.get(reverse("desk:online")).content.decode()
    with time_machine.travel(at("2026-11-26 10:00"), tick=False):
        assert "Trễ tiếp nhận" in client.get(reverse("desk:online")).content.decode()
        accepted = dossier_act(
            dossier=dossier, action=Action.RECEIVE, actor=online.lan, now=timezone.now()
        )
        client.logout()
        receipt = client.get(
            reverse("online:receipt"),
            {"code": accepted.code, "secret": accepted.tracking_secret},
        )
        wrong = client.get(
            reverse("online:receipt"), {"code": accepted.code, "secret": "ABCD-EFGH"}
        )
    html = receipt.content.decode()
    assert receipt.status_code == 200 and accepted.code in html and 'lang="vi"' in html
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in html.upper() and receipt["Cache-Control"].count("no-store")
    assert "/can-bo/" not in html  # no staff links on the citizen's copy
    assert wrong.status_code == 404


@time_machine.travel(at("2026-11-25 09:00"), tick=False)
def test_a_get_on_the_start_changes_nothing_and_resumes_the_open_draft(online, an, client):
    """A link followed (by a person, a prefetching browser or a crawler) makes no draft; once
    one is open, the same link leads to it."""
    url = reverse("online:start", args=["1.001193"])
    sign_in(client, an)
    for _ in range(2):
        page = client.get(url)
        assert page.status_code == 200
        assert 'method="post"' in page.content.decode()
    assert not Draft.objects.exists()
    first = client.post(url)
    draft = Draft.objects.get()
    assert first.url == reverse("online:draft", args=[draft.pk])
    assert client.get(url).url == first.url


@time_machine.travel(at("2026-11-25 09:00"), tick=False)
def test_beginning_twice_keeps_one_open_draft(online, an, client):
    url = reverse("online:start", args=["1.001193"])
    sign_in(client, an)
    answers = {client.post(url).url for _ in range(3)}
    assert Draft.objects.filter(state=Draft.State.OPEN).count() == 1
    assert answers == {reverse("online:draft", args=[Draft.objects.get().pk])}


@time_machine.travel(at("2026-11-25 09:00"), tick=False)
def test_the_start_of_a_procedure_not_offered_online_says_so(online, an, client):
    sign_in(client, an)
    for answer in (
        client.get(reverse("online:start", args=["9.999999"])),
        client.post(reverse("online:start", args=["9.999999"])),
    ):
        assert answer.status_code == 404
        assert "Thủ tục này chưa nhận hồ sơ trực tuyến." in answer.content.decode()
    assert not Draft.objects.exists()


def test_a_closed_draft_offers_to_begin_again_by_a_button(online, an, client):
    old = services.draft_start(citizen=an, procedure_code="1.001193", now=at("2026-11-25 10:00"))
    services.drafts_close_stale(now=at("2026-12-16 10:00"))
    sign_in(client, an)
    page = client.get(reverse("online:draft", args=[old.pk]))
    assert page.status_code == 410
    start = reverse("online:start", args=["1.001193"])
    assert f'<form method="post" action="{start}">' in page.content.decode()
    new = client.post(start)
    draft = Draft.objects.get(state=Draft.State.OPEN)
    assert draft.pk != old.pk and new.url == reverse("online:draft", args=[draft.pk])


@pytest.mark.django_db(transaction=True)
def test_four_starts_at_once_make_one_draft(online, an):
    """Real parallel connections (PostgreSQL): the account's row lock lets one make it, the
    others find it."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and parallel connections")
    barrier = threading.Barrier(4)
    made: list[int | None] = [None] * 4

    def target(i):
        try:
            barrier.wait()
            draft = services.draft_start(
                citizen=an, procedure_code="1.001193", now=at("2026-11-25 09:00")
            )
            made[i] = draft.pk
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Draft.objects.filter(state=Draft.State.OPEN).count() == 1
    assert set(made) == {Draft.objects.get().pk}


# --- A fee counted per page or per copy, online ------------------------------------------------

# 2.000815 chứng thực's rule: 2,000 đ/page, from page 3 1,000 đ/page, at most 200,000 đ a copy.
PER_PAGE = {"per": "page", "max_per_copy": 200_000, "tiers": [{"from_page": 3, "amount": 1000}]}


@pytest.fixture
def per_page(online):
    version = online.birth.versions.get()
    version.fee = 2000
    version.fee_rule = PER_PAGE
    version.save()
    catalog_cache_clear()
    return online


def test_the_fee_is_counted_on_the_pages_and_copies_declared(per_page, an):
    now = at("2026-11-25 09:00")
    draft = filled(per_page, an, now)
    assert selectors.draft_fee(draft).amount == 2000  # one copy of one page until told
    draft = services.draft_save(
        draft=draft, data=services.DraftInput(values=draft.values, copies=2, pages=10), now=now
    )
    assert (draft.copies, draft.pages) == (2, 10)
    # 2 × 2,000 + 8 × 1,000 = 12,000 a copy; two copies.
    assert selectors.draft_fee(draft).amount == 24_000
    dossier = services.draft_submit(draft=draft, now=now)
    assert dossier.copies == 2
    assert dossier_amount_due(dossier).amount == 24_000  # what the payment will ask


def test_a_quantity_out_of_bounds_is_refused_and_nothing_stored(per_page, an):
    now = at("2026-11-25 09:00")
    draft = filled(per_page, an, now)
    with pytest.raises(InvalidInput) as info:
        services.draft_save(
            draft=draft,
            data=services.DraftInput(values=draft.values, copies=101, pages=5000),
            now=now,
        )
    assert sorted(p.details["field"] for p in info.value.problems()) == ["copies", "pages"]
    draft.refresh_from_db()
    assert (draft.copies, draft.pages) == (1, 1)


def test_a_fee_per_dossier_asks_nothing(online, an):
    draft = filled(online, an, at("2026-11-25 09:00"))
    assert selectors.fee_asks(draft.version) == fees.Asks(copies=False, pages=False)
    draft = services.draft_save(
        draft=draft,
        data=services.DraftInput(values=draft.values, copies=3, pages=40),
        now=at("2026-11-25 09:05"),
    )
    assert (draft.copies, draft.pages) == (1, 1) and selectors.draft_fee(draft).amount == 0


@time_machine.travel(at("2026-11-25 09:00"), tick=False)
def test_the_page_asks_the_pages_and_shows_the_amount_before_submission(per_page, an, client):
    sign_in(client, an)
    start = client.post(reverse("online:start", args=["1.001193"]))
    html = client.get(start.url).content.decode()
    assert 'name="fee_copies"' in html and 'name="fee_pages"' in html
    assert "2.000 đồng" in html
    docs = papers(per_page)
    post = {
        "ho_ten": "Nguyễn Văn An",
        "so_dinh_danh": "001203004567",
        "noi_cu_tru__province": GOOD["noi_cu_tru"]["province"],
        "noi_cu_tru__ward": GOOD["noi_cu_tru"]["ward"],
        "tre_ho_ten": GOOD["tre_ho_ten"],
        "tre_ngay_sinh": GOOD["tre_ngay_sinh"],
        "place": str(per_page.hoan_kiem.pk),
        "delivery": "electronic",
        "fee_copies": "2",
        "fee_pages": "10",
        "action": "save",
    }
    files = {
        f"paper_{d.pk}": SimpleUploadedFile(f"{d.order}.png", scanfiles.PNG, "image/png")
        for d in docs
    }
    saved = client.post(start.url, {**post, **files})
    assert saved.status_code == 302
    html = client.get(start.url).content.decode()
    assert "24.000 đồng" in html and "Mỗi bản 10 trang: 12.000 đồng" in html
    assert "2 bản × 12.000 đồng" in html
    bad = client.post(start.url, {**post, "fee_pages": "0"})
    assert bad.status_code == 400 and "Nhập một số nguyên từ 1 đến 2000." in bad.content.decode()
    assert Draft.objects.get().pages == 10
    done = client.post(start.url, {**post, "action": "submit"})
    assert done.status_code == 302 and Dossier.objects.get().copies == 2
