"""The rating and feedback pages through the test client: the citizen's and the agency's,
with wrong accounts, tampered codes, replays and bad input."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.citizens.models import Citizen
from motcua.core.feedback import State
from motcua.feedback import services
from motcua.feedback.models import Feedback, FeedbackEvent, Rating
from motcua.notify.models import OutboxMessage
from tests.conftest import at
from tests.feedback.test_services import returned

NOW = at("2026-11-26 10:00")
PASSWORD = "mật-khẩu-đủ-dài-2026"
SCORES = {"conduct": "5", "punctuality": "4", "guidance": "4", "simplicity": "2"}


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def staff(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def citizen(client, email="binh@example.vn"):
    person = Citizen.objects.create(
        email=email,
        full_name="Trần Văn Bình",
        password=make_password(PASSWORD),
        created_at=timezone.now(),
    )
    signed = client.post(reverse("citizens:signin"), {"identifier": email, "password": PASSWORD})
    assert signed.status_code == 302
    return person


def post_rating(client, d, **extra):
    return client.post(
        reverse("feedback:rate"),
        {"code": d.code, "secret": d.tracking_secret, **SCORES, "comment": "", **extra},
    )


def test_the_rating_page_renders_from_the_notice_link_in_vietnamese(world, client):
    d = returned(world)
    page = client.get(reverse("feedback:rate"), {"code": d.code, "secret": d.tracking_secret})
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="vi">' in html
    assert "Thái độ, tác phong của cán bộ" in html
    assert d.code in html


def test_a_citizen_rates_through_the_tracking_link_once(world, client):
    d = returned(world)
    assert post_rating(client, d).status_code == 200
    rating = Rating.objects.get()
    assert (rating.channel, rating.at_desk, rating.conduct) == ("tracking", False, 5)
    again = post_rating(client, d, conduct="1")
    assert again.status_code == 400
    assert "Hồ sơ này đã được đánh giá" in again.content.decode()
    assert Rating.objects.get().conduct == 5


def test_a_wrong_secret_stores_nothing_and_says_so(world, client):
    d = returned(world)
    response = post_rating(client, d, secret="2345-6789")
    assert response.status_code == 404
    assert "Không tìm thấy hồ sơ" in response.content.decode()
    assert not Rating.objects.exists()


def test_every_missing_score_is_shown_beside_its_question(world, client):
    d = returned(world)
    response = client.post(reverse("feedback:rate"), {"code": d.code, "secret": d.tracking_secret})
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("Hãy chọn một mục.") == 4
    assert not Rating.objects.exists()


def test_a_rating_in_a_browser_with_a_staff_sign_in_is_marked_at_the_desk(world, client):
    d = returned(world)
    staff(client, "lan")
    assert post_rating(client, d).status_code == 200
    rating = Rating.objects.get()
    assert rating.at_desk
    assert rating.desk_user_id == world.lan.user_id


def test_a_device_the_desk_marked_flags_its_ratings(world, client):
    d = returned(world)
    staff(client, "lan")
    client.post(reverse("desk:desk_device"), {"mark": "1"})
    client.post(reverse("desk:logout"))
    assert post_rating(client, d).status_code == 200
    rating = Rating.objects.get()
    assert rating.at_desk and rating.desk_user_id is None


def test_a_signed_in_citizen_rates_their_own_dossier_by_its_code_only(world, client):
    person = citizen(client)
    d = returned(world)
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(pk=d.pk).update(citizen=person)
    assert post_rating(client, d, secret="").status_code == 200
    assert Rating.objects.get().channel == "account"


def test_another_citizens_dossier_is_not_found(world, client):
    other = Citizen.objects.create(email="an@example.vn", created_at=timezone.now())
    d = returned(world)
    from motcua.dossiers.models import Dossier

    Dossier.objects.filter(pk=d.pk).update(citizen=other)
    citizen(client)
    response = post_rating(client, d, secret="")
    assert response.status_code == 404
    assert not Rating.objects.exists()


def test_the_result_mail_invites_to_rate(world, mailoutbox):
    from motcua.notify.services import outbox_deliver

    d = returned(world)
    outbox_deliver(now=at("2026-11-25 15:00"))
    mail = next(m for m in mailoutbox if "Đã trả kết quả" in m.subject)
    assert "Mời ông/bà cho biết mức độ hài lòng" in mail.body
    assert f"/danh-gia/?code={d.code}" in mail.body


# --- Filing and following an item ----------------------------------------------------------


def filed(client, **changes):
    data = {
        "subject": "procedure",
        "procedure": "3.000333",
        "content": "Bị yêu cầu nộp bản sao giấy tờ đã có.",
        "name": "Trần Văn Bình",
        "contact": "0912 345 678",
    }
    data.update(changes)
    response = client.post(reverse("feedback:file"), data)
    if response.status_code == 302 and response["Location"] == reverse("feedback:verify"):
        response = client.post(response["Location"], {"code": sent_code(data["contact"])})
    if response.status_code == 302:  # the page showing the code takes the one-time message
        assert "Mã phản ánh của ông/bà" in client.get(response["Location"]).content.decode()
    return response


def opened(client, item):
    """Open the item as its citizen does from the notice's link: its code and secret."""
    secret = f"{item.secret[:4]}-{item.secret[4:]}"
    response = client.get(reverse("feedback:find"), {"code": item.code, "secret": secret})
    assert response["Location"] == reverse("feedback:item", args=[item.code])


def sent_code(contact):
    """The last one-time code sent to the address typed (as the form normalises it)."""
    address = contact.replace(" ", "").lower()
    message = OutboxMessage.objects.filter(recipient=address).order_by("-pk").first()
    return message.context["code"]


def test_the_feedback_page_renders(world, client):
    page = client.get(reverse("feedback:file"))
    assert page.status_code == 200
    assert "Gửi phản ánh, kiến nghị" in page.content.decode()


def test_a_citizen_without_account_verifies_the_address_then_follows_the_item(world, client):
    data = {
        "subject": "procedure",
        "procedure": "3.000333",
        "content": "Bị yêu cầu nộp bản sao giấy tờ đã có.",
        "name": "Trần Văn Bình",
        "contact": "0912 345 678",
    }
    held = client.post(reverse("feedback:file"), data)
    assert held["Location"] == reverse("feedback:verify")
    page = client.get(held["Location"]).content.decode()
    assert "0912***678" in page and "tin nhắn" in page
    assert not Feedback.objects.exists()  # nothing routed before the code is typed
    sms = OutboxMessage.objects.get(recipient="0912345678")
    assert sms.channel == "sms" and sms.template == "citizens/sms/address_code"
    wrong = client.post(reverse("feedback:verify"), {"code": "000000"})
    assert wrong.status_code == 400
    assert "Mã không đúng. Còn 4 lần thử." in wrong.content.decode()
    response = client.post(reverse("feedback:verify"), {"code": sms.context["code"]})
    assert response.status_code == 302
    item = Feedback.objects.get()
    assert (item.phone, item.email, item.contact_verified) == ("0912345678", "", True)
    secret = f"{item.secret[:4]}-{item.secret[4:]}"
    html = client.get(response["Location"]).content.decode()
    assert item.code in html and secret in html
    assert "Đang xem xét, xử lý" in html
    assert "Sở Tư pháp" in html
    notice = OutboxMessage.objects.get(recipient="0912345678", template="feedback/sms")
    assert f"secret={secret}" in notice.context["url"]

    # Another browser: the code alone shows nothing of it; the code and secret open it.
    other = Client()
    locked = other.get(reverse("feedback:item", args=[item.code]))
    assert locked.status_code == 404
    assert "Bị yêu cầu nộp bản sao" not in locked.content.decode()
    assert 'name="secret"' in locked.content.decode()
    bad = other.get(reverse("feedback:find"), {"code": item.code, "secret": "2345-6789"})
    assert bad.status_code == 404
    found = other.get(
        reverse("feedback:find"), {"code": item.code.lower().replace("-", " "), "secret": secret}
    )
    assert found["Location"] == reverse("feedback:item", args=[item.code])
    assert "Bị yêu cầu nộp bản sao" in other.get(found["Location"]).content.decode()


def test_guessing_an_items_secret_is_limited_as_a_dossiers(world, client, settings):
    settings.TRACKING_MAX_FAILURES_PER_SOURCE_CODE = 2
    filed(client)
    item = Feedback.objects.get()
    guesser = Client()
    find = reverse("feedback:find")
    for _n in range(2):
        assert guesser.get(find, {"code": item.code, "secret": "2345-6789"}).status_code == 404
    secret = f"{item.secret[:4]}-{item.secret[4:]}"
    refused = guesser.get(find, {"code": item.code, "secret": secret})  # even the right one
    assert refused.status_code == 429
    assert "mã phản ánh hoặc mã tra cứu quá nhiều lần" in refused.content.decode()


def test_a_signed_in_citizen_typing_another_address_verifies_it(world, client):
    citizen(client)
    response = client.post(
        reverse("feedback:file"),
        {
            "subject": "procedure",
            "procedure": "3.000333",
            "content": "Chờ quá lâu.",
            "name": "Trần Văn Bình",
            "contact": "khac@example.vn",
        },
    )
    assert response["Location"] == reverse("feedback:verify")
    assert not Feedback.objects.exists()


def test_every_problem_with_a_filing_is_shown_at_once(world, client):
    response = filed(client, subject="dossier", procedure="", contact="abc", content="")
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count('class="errorlist') >= 4  # code, secret, content, contact
    assert not Feedback.objects.exists()


def test_a_filing_about_a_dossier_needs_its_secret(world, client):
    d = returned(world)
    response = filed(client, subject="dossier", dossier_code=d.code, dossier_secret="2345-6789")
    assert response.status_code == 404
    assert not Feedback.objects.exists()
    ok = filed(client, subject="dossier", dossier_code=d.code, dossier_secret=d.tracking_secret)
    assert ok.status_code == 302
    assert Feedback.objects.get().agency_id == world.hoan_kiem.pk


def test_a_signed_in_citizens_contact_is_prefilled_and_verified(world, client):
    citizen(client)
    page = client.get(reverse("feedback:file")).content.decode()
    assert 'value="binh@example.vn"' in page
    assert filed(client, contact="binh@example.vn").status_code == 302
    assert Feedback.objects.get().contact_verified


def test_a_tampered_item_code_is_not_found(world, client):
    response = client.get(reverse("feedback:item", args=["PA-2345-6789-AB"]))
    assert response.status_code == 404
    assert client.get(reverse("feedback:item", args=["x" * 40])).status_code == 404


def test_a_locked_item_and_a_missing_one_answer_alike(world, client):
    filed(client)
    item = Feedback.objects.get()
    missing = "PA-2345-6789-AB"
    assert not Feedback.objects.filter(code=missing).exists()
    other = Client()
    pages = []
    for code in (item.code, missing):
        response = other.get(reverse("feedback:item", args=[code]))
        assert response.status_code == 404
        html = response.content.decode().replace(code, "CODE")
        # The CSRF token (masked afresh for every answer) is the only other difference.
        pages.append(re.sub(r'value="[^"]{64}"|"X-CSRFToken": "[^"]*"', "", html))
    assert 'value="CODE"' in pages[0]  # the code typed stays in the form, found or not
    assert pages[0] == pages[1]


# --- The agency's pages -------------------------------------------------------------------


def test_the_agency_answers_through_its_page_and_the_citizen_sees_it(world, client):
    filed(client)
    item = Feedback.objects.get()
    staff(client, "nam")
    listing = client.get(reverse("desk:feedback")).content.decode()
    assert item.code in listing
    page = client.get(reverse("desk:feedback_item", args=[item.pk]))
    assert page.status_code == 200
    answer = {"action": "answer", "version": "0", "answer": "Đã chấn chỉnh bộ phận tiếp nhận."}
    assert client.post(reverse("desk:feedback_item", args=[item.pk]), answer).status_code == 302
    # The same page sent again: refused, nothing recorded twice.
    again = client.post(reverse("desk:feedback_item", args=[item.pk]), answer)
    assert again.status_code == 400
    assert FeedbackEvent.objects.filter(item=item, kind="answer").count() == 1
    client.logout()
    opened(client, item)
    html = client.get(reverse("feedback:item", args=[item.code])).content.decode()
    assert "Đã trả lời" in html and "Đã chấn chỉnh bộ phận tiếp nhận." in html
    assert "Hoàng Văn Nam" not in html  # staff names stay inside


def test_another_agency_gets_not_found_and_cannot_answer(world, client):
    filed(client)
    item = Feedback.objects.get()
    staff(client, "lan")
    assert item.code not in client.get(reverse("desk:feedback")).content.decode()
    assert client.get(reverse("desk:feedback_item", args=[item.pk])).status_code == 404
    answer = {"action": "answer", "version": "0", "answer": "Không phải việc của phường"}
    assert client.post(reverse("desk:feedback_item", args=[item.pk]), answer).status_code == 404
    assert Feedback.objects.get().state == State.OPEN


def test_a_forward_without_reason_is_refused_beside_its_fields(world, client):
    filed(client)
    item = Feedback.objects.get()
    staff(client, "nam")
    response = client.post(
        reverse("desk:feedback_item", args=[item.pk]),
        {"action": "forward", "version": "0", "agency": str(world.justice.pk), "reason": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Hãy chọn một cơ quan khác để chuyển đến." in html
    assert "Hãy ghi lý do chuyển." in html
    forwarded = client.post(
        reverse("desk:feedback_item", args=[item.pk]),
        {
            "action": "forward",
            "version": "0",
            "agency": str(world.hoan_kiem.pk),
            "reason": "Thuộc cấp phường",
        },
    )
    assert forwarded.status_code == 302
    assert Feedback.objects.get().agency_id == world.hoan_kiem.pk


def test_a_conduct_complaint_is_hidden_from_the_official(world, client):
    filed(
        client,
        subject="official",
        procedure="",
        place=str(world.hoan_kiem.pk),
        official_name="Ngô Văn Đức",
    )
    item = Feedback.objects.get()
    staff(client, "duc")
    assert client.get(reverse("desk:feedback_item", args=[item.pk])).status_code == 404
    staff(client, "son")
    assert client.get(reverse("desk:feedback_item", args=[item.pk])).status_code == 200


def test_a_conduct_complaint_is_answered_with_whether_it_was_upheld(world, client):
    filed(
        client,
        subject="official",
        procedure="",
        place=str(world.hoan_kiem.pk),
        official_name="Ngô Văn Đức",
    )
    item = Feedback.objects.get()
    staff(client, "son")
    url = reverse("desk:feedback_item", args=[item.pk])
    assert "Kết luận về phản ánh" in client.get(url).content.decode()
    answer = {"action": "answer", "version": "0", "answer": "Đã nhắc nhở cán bộ."}
    refused = client.post(url, answer)
    assert refused.status_code == 400
    assert "Hãy ghi kết luận: phản ánh có cơ sở hay không có cơ sở." in refused.content.decode()
    assert client.post(url, {**answer, "finding": "upheld"}).status_code == 302
    item.refresh_from_db()
    assert (item.finding, item.concerned_id) == ("upheld", world.duc.user_id)
    assert "Có cơ sở" in client.get(url).content.decode()


def test_the_ratings_page_shows_response_rates_to_leaders(world, client):
    d = returned(world)
    post_rating(client, d)
    staff(client, "long")
    html = client.get(reverse("desk:ratings")).content.decode()
    assert "UBND Phường Hoàn Kiếm" in html
    assert "100,0%" in html
    staff(client, "duc")
    assert client.get(reverse("desk:ratings")).status_code == 404


def test_the_tracking_page_of_a_returned_dossier_links_to_its_rating(world, client):
    d = returned(world)
    html = client.get(reverse("portal:track"), {"code": d.code, "secret": d.tracking_secret})
    assert f'href="/danh-gia/?code={d.code}"' in html.content.decode()
    home = client.get(reverse("portal:home")).content.decode()
    assert f'href="{reverse("feedback:file")}"' in home


def test_the_same_filing_form_sent_twice_files_one_item(world, client):
    page = client.get(reverse("feedback:file")).content.decode()
    key = re.search(r'name="key" value="([0-9a-f]{32})"', page)[1]
    first = filed(client, key=key)
    second = filed(client, key=key)
    assert first["Location"] == second["Location"]
    assert Feedback.objects.count() == 1
    # One code, one notice of the filing.
    assert OutboxMessage.objects.filter(recipient="0912345678").count() == 2


def test_the_citizen_replies_on_the_items_page_when_asked(world, client):
    filed(client)
    item = Feedback.objects.get()
    staff(client, "nam")
    ask = {"action": "ask", "version": "0", "question": "Xin cho biết quầy đã nộp."}
    assert client.post(reverse("desk:feedback_item", args=[item.pk]), ask).status_code == 302
    client.logout()
    opened(client, item)
    url = reverse("feedback:item", args=[item.code])
    assert "Xin cho biết quầy đã nộp." in client.get(url).content.decode()
    empty = client.post(url, {"reply": ""})
    assert empty.status_code == 400
    assert client.post(url, {"reply": "Quầy số 3"}).status_code == 302
    assert Feedback.objects.get().reply == "Quầy số 3"
    assert 'name="reply"' not in client.get(url).content.decode()


def test_the_agencys_list_costs_the_same_queries_however_long(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff(client, "nam")
    filed(client)
    staff(client, "nam")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("desk:feedback"))
    for n in range(4):  # from four people (one address is sent a code a minute at most)
        filed(client, contact=f"09123456{n:02d}")
    staff(client, "nam")
    with CaptureQueriesContext(connection) as five:
        html = client.get(reverse("desk:feedback")).content.decode()
    assert len(re.findall(r'href="/can-bo/phan-anh/\d+/"', html)) == 5
    assert len(five) == len(one)


# --- The public list of published answers ---------------------------------------------------


def published(w, content, question, answer, agency_actor=None, **filing_kw):
    """An item filed, answered and published through the services."""
    from tests.feedback.test_services import file_verified, filing

    actor = agency_actor or w.nam
    item = file_verified(filing=filing(content=content, **filing_kw), now=at("2026-11-20 09:00"))
    item = services.feedback_answer(
        item_id=item.pk, actor=actor, answer=answer, expected_version=0, now=at("2026-11-23 10:00")
    )
    return services.feedback_publish(
        item_id=item.pk,
        actor=actor,
        question=question,
        answer=answer,
        expected_version=item.version,
        now=at("2026-11-24 10:00"),
    )


PERSONAL = {
    "name": "Trần Văn Bình",
    "email": "binh.tran@example.vn",
    "content": "Tôi là Trần Văn Bình, CCCD 001203004567, gọi 0912 345 678 hoặc "
    "binh.tran@example.vn: phiếu lý lịch tư pháp chậm.",
}


def test_the_agency_publishes_from_its_page_and_personal_data_never_shows(world, client):
    filed(client, contact=PERSONAL["email"], name=PERSONAL["name"], content=PERSONAL["content"])
    item = Feedback.objects.get()
    staff(client, "nam")
    url = reverse("desk:feedback_item", args=[item.pk])
    answer = {"action": "answer", "version": "0", "answer": "Sở đã cấp phiếu ngày 24/11."}
    assert client.post(url, answer).status_code == 302
    page = client.get(url).content.decode()
    assert "Công khai trả lời" in page
    # Sent as pre-filled (the citizen's own words): refused, nothing published.
    item.refresh_from_db()
    raw = {
        "action": "publish",
        "version": str(item.version),
        "public_question": item.content,
        "public_answer": item.answer,
    }
    refused = client.post(url, raw)
    assert refused.status_code == 400
    assert "không được có thông tin cá nhân" in refused.content.decode()
    assert Feedback.objects.get().published_at is None
    clean = {
        **raw,
        "public_question": "Phiếu lý lịch tư pháp cấp chậm hơn hẹn thì làm thế nào?",
        "public_answer": "Sở đã cấp phiếu và chấn chỉnh việc trả kết quả.",
    }
    assert client.post(url, clean).status_code == 302
    item.refresh_from_db()
    assert item.published_at is not None

    client.logout()
    html = client.get(reverse("feedback:answers")).content.decode()
    assert "Phiếu lý lịch tư pháp cấp chậm hơn hẹn thì làm thế nào?" in html
    assert "Sở đã cấp phiếu và chấn chỉnh việc trả kết quả." in html
    assert "Sở Tư pháp" in html and "26/11/2026" in html  # the agency and the dates
    for secret in (
        "Trần Văn Bình",
        "binh.tran@example.vn",
        "0912",
        "001203004567",
        item.code,
        item.secret,
        f"{item.secret[:4]}-{item.secret[4:]}",
        "Tôi là",  # nothing of the citizen's own text
        "Hoàng Văn Nam",  # nor who answered
    ):
        assert secret not in html, secret


def test_the_list_is_searched_without_accents_filtered_by_agency_and_paged(world, client):
    from motcua.feedback import views

    published(
        world,
        "Hỏi về lệ phí lý lịch tư pháp",
        "Lệ phí cấp Phiếu lý lịch tư pháp là bao nhiêu?",
        "Lệ phí là 200.000 đồng.",
    )
    published(
        world,
        "Hỏi về khai sinh",
        "Đăng ký khai sinh có mất phí không?",
        "Đăng ký khai sinh đúng hạn được miễn lệ phí.",
        agency_actor=world.long,
        procedure_code="1.001193",
        place_id=world.hoan_kiem.pk,
    )
    answers = reverse("feedback:answers")
    html = client.get(answers, {"q": "le phi ly lich"}).content.decode()
    assert "Lệ phí cấp Phiếu lý lịch tư pháp là bao nhiêu?" in html
    assert "Đăng ký khai sinh có mất phí không?" not in html
    by_agency = client.get(answers, {"co_quan": str(world.hoan_kiem.pk)}).content.decode()
    assert "Đăng ký khai sinh có mất phí không?" in by_agency
    assert "Lệ phí cấp Phiếu" not in by_agency
    assert client.get(answers, {"co_quan": "999999"}).status_code == 400
    # Paged: one more than a page, the second page holds the oldest.
    for n in range(views.ANSWERS_PER_PAGE - 1):
        published(world, f"Câu {n}", f"Câu hỏi số {n} về lệ phí?", "Đã trả lời.")
    first = client.get(answers).content.decode()
    assert first.count('<li class="card">') == views.ANSWERS_PER_PAGE
    assert "page=2" in first
    second = client.get(answers, {"page": "2"}).content.decode()
    assert second.count('<li class="card">') == 1
    assert "Lệ phí cấp Phiếu lý lịch tư pháp là bao nhiêu?" in second
    assert client.get(answers, {"q": "khong co gi"}).status_code == 200


def test_the_public_list_costs_the_same_queries_however_long_and_is_linked(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published(world, "Một", "Câu hỏi một?", "Trả lời một.")
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("feedback:answers"))
    for n in range(4):
        published(world, f"Câu {n}", f"Câu hỏi {n}?", "Trả lời.")
    with CaptureQueriesContext(connection) as five:
        html = client.get(reverse("feedback:answers")).content.decode()
    assert html.count('<li class="card">') == 5
    assert len(five) == len(one)
    link = f'href="{reverse("feedback:answers")}"'
    assert link in client.get(reverse("feedback:file")).content.decode()
    assert link in client.get(reverse("feedback:find")).content.decode()


def test_another_address_keeps_what_was_written(world, client):
    data = {
        "subject": "procedure",
        "procedure": "3.000333",
        "content": "Bị yêu cầu nộp bản sao giấy tờ đã có.",
        "name": "Trần Văn Bình",
        "contact": "0912 345 678",
    }
    held = client.post(reverse("feedback:file"), data)
    link = reverse("feedback:file") + "?sua=1"
    assert link in client.get(held["Location"]).content.decode()
    form = client.get(link).context["form"]
    assert form["content"].value() == data["content"]
    assert (form["name"].value(), form["procedure"].value()) == ("Trần Văn Bình", "3.000333")
    assert not form["contact"].value()  # the address is what is to be typed again
    again = client.post(
        reverse("feedback:file"), {**data, "contact": "binh@example.vn", "key": form["key"].value()}
    )
    assert again["Location"] == reverse("feedback:verify")
    assert "b***@example.vn" in client.get(again["Location"]).content.decode()
    response = client.post(reverse("feedback:verify"), {"code": sent_code("binh@example.vn")})
    item = Feedback.objects.get()
    assert response.status_code == 302
    assert (item.email, item.content) == ("binh@example.vn", data["content"])


def test_a_fresh_form_with_nothing_held_starts_empty(world, client):
    form = client.get(reverse("feedback:file") + "?sua=1").context["form"]
    assert not form["content"].value()
