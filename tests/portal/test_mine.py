"""The citizen's own dossiers through their pages: the list, one dossier in plain words, the
supplement answered online once, the withdrawal, the apology letter, the electronic result;
another citizen's dossier is "not found"."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from motcua.citizens.models import Citizen
from motcua.core.lifecycle import ACTION_LABELS, Action, Status
from motcua.dossiers.models import Dossier, DossierScan
from motcua.dossiers.services import dossier_act, dossier_receive
from tests.conftest import at
from tests.dossiers.test_citizen_answers import asked_in_processing, signed
from tests.dossiers.test_services import intake
from tests.scanfiles import EXE, PDF, PNG, upload

PASSWORD = "mat-khau-rat-kho-doan-2026"
# What staff pages say and a citizen must never read: the internal labels of actions, arrows,
# "working hours" jargon.
INTERNAL = [str(label) for label in ACTION_LABELS.values()] + ["→", "giờ làm việc", "Hệ thống"]


def citizen(email: str) -> Citizen:
    return Citizen.objects.create(
        email=email,
        password=make_password(PASSWORD),
        full_name="Trần An",
        created_at=timezone.now(),
    )


@pytest.fixture
def an(db):
    return citizen("an@example.vn")


@pytest.fixture
def binh(db):
    return citizen("binh@example.vn")


def signed_in(client, who: Citizen):
    response = client.post(
        reverse("citizens:signin"), {"identifier": who.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def page_of(d: Dossier) -> str:
    return reverse("portal:my-dossier", kwargs={"pk": d.pk})


def main(response) -> str:
    """The page's own content, without the site's header and footer."""
    html = response.content.decode()
    return html[html.index('<main id="main"') : html.index("</main>")]


def test_the_list_shows_only_my_dossiers_newest_first(client, world, an, binh):
    first = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-24 08:30")
    )
    second = dossier_receive(
        intake=intake(world, world.birth, citizen_id=an.pk),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
    )
    theirs = dossier_receive(
        intake=intake(world, world.record, citizen_id=binh.pk),
        actor=world.ha,
        now=at("2026-11-25 09:30"),
    )
    response = signed_in(client, an).get(reverse("portal:my-dossiers"))
    html = main(response)
    assert response.status_code == 200
    assert html.index(second.code) < html.index(first.code)
    assert theirs.code not in html
    assert "Cấp Phiếu lý lịch tư pháp" not in html


def test_the_list_and_pages_need_a_citizen_sign_in(client, world, an):
    d = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-25 08:30")
    )
    for url in (reverse("portal:my-dossiers"), page_of(d)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("citizens:signin") in response["Location"]


def test_another_citizens_dossier_is_not_found(client, world, an, binh):
    d = asked_in_processing(world, an)
    signed_in(client, binh)
    for url in (
        page_of(d),
        reverse("portal:my-result", kwargs={"pk": d.pk}),
        reverse("portal:my-apology", kwargs={"pk": d.pk}),
        reverse("portal:my-dossier", kwargs={"pk": 999_999}),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("portal:my-answer", kwargs={"pk": d.pk}),
        {"paper_0": SimpleUploadedFile("a.pdf", PDF), "paper_1": SimpleUploadedFile("b.png", PNG)},
    )
    assert response.status_code == 404
    response = client.post(reverse("portal:my-withdraw", kwargs={"pk": d.pk}), {"note": "x"})
    assert response.status_code == 404
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT


def test_the_dossier_page_speaks_plain_words_with_local_times(client, world, an):
    d = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 15:00"))
    response = signed_in(client, an).get(page_of(d))
    html = main(response)
    assert response.status_code == 200
    for label in INTERNAL:
        assert label not in html, label
    assert "Nguyễn Thị Lan" not in html and "Ngô Văn Đức" not in html  # no officers' names
    assert "Hồ sơ được tiếp nhận." in html
    assert "Hồ sơ được chuyển đến Công an Phường Hoàn Kiếm để giải quyết." in html
    assert "ngày 25/11/2026, lúc 08:30" in html  # Hà Nội time, not UTC (01:30)
    assert "ngày 30/11/2026, lúc 08:30" in html  # the appointment
    assert 'data-todo="wait"' in html


def test_a_supplement_is_answered_online_once(client, world, an):
    d = asked_in_processing(world, an)
    signed_in(client, an)
    html = main(client.get(page_of(d)))
    assert "Bản sao sổ hộ khẩu" in html and 'enctype="multipart/form-data"' in html
    assert "Hồ sơ đang chờ bổ sung giấy tờ" in html
    url = reverse("portal:my-answer", kwargs={"pk": d.pk})
    # A disguised file and a missing one: both named, nothing stored.
    response = client.post(url, {"paper_0": SimpleUploadedFile("ho-khau.pdf", EXE)})
    assert response.status_code == 400
    html = main(response)
    assert "không phải bản quét PDF, JPEG hoặc PNG hợp lệ" in html
    assert "Chưa chọn tệp cho giấy tờ “Ảnh 3x4”" in html
    assert not DossierScan.objects.exists()
    files = {
        "paper_0": SimpleUploadedFile("ho-khau.pdf", PDF),
        "paper_1": SimpleUploadedFile("anh.png", PNG),
    }
    response = client.post(url, files)
    assert response.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == Status.PROCESSING
    assert DossierScan.objects.filter(dossier=d).count() == 2
    html = main(client.get(page_of(d)))
    assert (
        "Cơ quan đã nhận giấy tờ bổ sung." in html and 'enctype="multipart/form-data"' not in html
    )
    # Sent again (the back button): a plain refusal, nothing more stored.
    files = {
        "paper_0": SimpleUploadedFile("ho-khau.pdf", PDF),
        "paper_1": SimpleUploadedFile("anh.png", PNG),
    }
    response = client.post(url, files)
    assert response.status_code == 400
    assert "không còn chờ bổ sung giấy tờ" in main(response)
    assert DossierScan.objects.filter(dossier=d).count() == 2


def test_the_desk_sees_the_papers_the_citizen_sent(client, world, an):
    d = asked_in_processing(world, an)
    signed_in(client, an).post(
        reverse("portal:my-answer", kwargs={"pk": d.pk}),
        {
            "paper_0": SimpleUploadedFile("ho-khau.pdf", PDF),
            "paper_1": SimpleUploadedFile("anh.png", PNG),
        },
    )
    client.logout()
    client.force_login(get_user_model().objects.get(username="lan"))
    html = client.get(reverse("desk:dossier", kwargs={"pk": d.pk})).content.decode()
    assert "Bản sao sổ hộ khẩu" in html and "Ảnh 3x4" in html
    scan = DossierScan.objects.filter(dossier=d).first()
    assert reverse("desk:scan", kwargs={"pk": d.pk, "scan": scan.pk}) in html


def test_a_withdrawal_is_asked_with_a_reason(client, world, an):
    d = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-25 08:30")
    )
    signed_in(client, an)
    url = reverse("portal:my-withdraw", kwargs={"pk": d.pk})
    response = client.post(url, {"note": ""})
    assert response.status_code == 400 and Dossier.objects.get(pk=d.pk).status == Status.RECEIVED
    response = client.post(url, {"note": "Nộp nhầm thủ tục"})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == Status.WITHDRAWN
    html = main(client.get(page_of(d)))
    assert 'data-todo="wait_stop"' in html and "Người nộp đề nghị rút hồ sơ." in html
    assert "Nộp nhầm thủ tục" in html
    response = client.post(url, {"note": "lại"})
    assert response.status_code == 400
    assert "Đề nghị rút hồ sơ đã được gửi trước đó." in main(response)


def test_the_result_downloads_only_for_its_citizen_once_ready(client, world, an, binh):
    d = signed(world, an)
    signed_in(client, an)
    url = reverse("portal:my-result", kwargs={"pk": d.pk})
    assert client.get(url).status_code == 404  # not ready yet
    d = dossier_act(
        dossier=d,
        action=Action.MARK_READY,
        actor=world.long,
        now=at("2026-11-25 09:35"),
        result=upload(PDF, "kq.pdf"),
    )
    html = main(client.get(page_of(d)))
    assert url in html
    response = client.get(url)
    assert response.status_code == 200 and response.content == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    assert "attachment" in response["Content-Disposition"]
    signed_in(client, binh)
    assert client.get(url).status_code == 404


def test_the_signed_apology_is_shown_and_opens_form_04(client, world, an):
    d = dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 15:00"))
    d = dossier_act(
        dossier=d,
        action=Action.DRAFT_APOLOGY,
        actor=world.tam,
        now=at("2026-11-26 09:00"),
        note="Chờ xác minh nơi cư trú.",
    )
    signed_in(client, an)
    letter = reverse("portal:my-apology", kwargs={"pk": d.pk})
    assert client.get(letter).status_code == 404  # a draft is not shown
    assert "Chờ xác minh nơi cư trú." not in main(client.get(page_of(d)))
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    html = main(client.get(page_of(d)))
    assert "Chờ xác minh nơi cư trú." in html and letter in html
    assert "xin lỗi vì chậm trễ và hẹn lại ngày trả kết quả" in html
    response = client.get(letter)
    assert response.status_code == 200
    assert "Chờ xác minh nơi cư trú." in response.content.decode()


def test_pages_declare_vietnamese_and_fit_a_phone(client, world, an):
    d = asked_in_processing(world, an)
    signed_in(client, an)
    for url in (reverse("portal:my-dossiers"), page_of(d)):
        html = client.get(url).content.decode()
        assert '<html lang="vi">' in html
        assert 'name="viewport" content="width=device-width' in html
        assert re.search(r"<h1>", html)


def test_the_list_reads_a_fixed_number_of_queries(client, world, an):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    signed_in(client, an)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("portal:my-dossiers")).status_code == 200
        return len(captured)

    dossier_receive(
        intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at("2026-11-24 08:30")
    )
    one = queries()
    for day in (25, 26, 27):
        dossier_receive(
            intake=intake(world, citizen_id=an.pk), actor=world.lan, now=at(f"2026-11-{day} 08:30")
        )
    assert queries() == one


def test_a_staff_sign_in_is_no_citizens(client, world, an):
    d = asked_in_processing(world, an)
    client.force_login(get_user_model().objects.get(username="lan"))
    response = client.get(page_of(d))
    assert response.status_code == 302 and reverse("citizens:signin") in response["Location"]
    response = client.post(reverse("portal:my-withdraw", kwargs={"pk": d.pk}), {"note": "x"})
    assert response.status_code == 302
    assert Dossier.objects.get(pk=d.pk).status == Status.SUPPLEMENT


def test_the_dossier_page_links_its_receipt_the_fee_to_pay_and_once_returned_the_rating(
    client, world, an
):
    from motcua.payments.services import payment_record_at_desk
    from tests.feedback.test_services import returned

    world.birth.versions.update(fee=8000)
    d = dossier_receive(
        intake=intake(world, world.birth, citizen_id=an.pk), actor=world.lan, now=timezone.now()
    )
    signed_in(client, an)
    html = main(client.get(page_of(d)))
    receipt = f"/giay-tiep-nhan/?code={d.code}&amp;secret={d.tracking_secret}"
    assert receipt in html  # form 01, on this site whatever SITE_URL says
    assert "Phí, lệ phí phải nộp: 8.000 đồng." in html
    assert reverse("payments:pay", args=[d.pk]) in html
    assert reverse("feedback:rate") not in html  # not returned yet

    payment_record_at_desk(
        dossier=d,
        actor=world.lan,
        receipt_number="0001234",
        payer_name="Trần An",
        pages=None,
        now=timezone.now(),
    )
    html = main(client.get(page_of(d)))
    assert reverse("payments:pay", args=[d.pk]) not in html

    done = returned(world)
    Dossier.objects.filter(pk=done.pk).update(citizen_id=an.pk)
    html = main(client.get(page_of(done)))
    assert f"{reverse('feedback:rate')}?code={done.code}&amp;secret={done.tracking_secret}" in html
    assert reverse("payments:pay", args=[done.pk]) not in html  # collected: too late


def test_the_procedure_page_offers_a_counter_appointment(client, world):
    html = client.get(reverse("portal:procedure", args=["1.001193"])).content.decode()
    assert f"{reverse('appointments:book')}?procedure=1.001193" in html
