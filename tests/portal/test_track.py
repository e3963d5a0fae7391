"""The public tracking page: a citizen with the code and tracking secret from the receipt."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from motcua.core.lifecycle import Action
from motcua.dossiers.selectors import NOT_FOUND, tracking_url
from motcua.dossiers.services import Applicant, Intake, dossier_act, dossier_receive
from tests.conftest import VN, at

URL = reverse("portal:track")
STAFF_NAMES = ["Nguyễn Thị Lan", "Ngô Văn Đức", "Mai Văn Tâm", "Phan Văn Kiên", "Trịnh Văn Long"]


def receive(world):
    """Received at Hoàn Kiếm Wed 25/11 08:30, now with the commune police (3 working days)."""
    version = world.chain.versions.get()
    d = dossier_receive(
        intake=Intake(
            procedure_code=world.chain.code,
            applicant=Applicant(name="Trần Văn Bình", id_number="001203012345"),
            documents=[doc.pk for doc in version.documents.all()],
        ),
        actor=world.lan,
        now=at("2026-11-25 08:30"),
    )
    d = dossier_act(dossier=d, action=Action.FORWARD, actor=world.lan, now=at("2026-11-25 09:00"))
    return dossier_act(
        dossier=d, action=Action.FORWARD, actor=world.duc, now=at("2026-11-25 15:00")
    )


def draft_apology(world, d):
    return dossier_act(
        dossier=d,
        action=Action.DRAFT_APOLOGY,
        actor=world.tam,
        now=at("2026-11-26 09:00"),
        note="Chờ xác minh nơi cư trú.",
    )


def track(client, code, secret, method="post", **meta):
    return getattr(client, method)(URL, {"code": code, "secret": secret}, **meta)


def result_of(response) -> str:
    """The dossier's part of the page ("" when none is shown)."""
    found = re.search(
        r'<section class="card" aria-labelledby="result-title">.*?'
        r'<section class="card" aria-labelledby="story-title">.*?</section>',
        response.content.decode(),
        re.S,
    )
    return found[0] if found else ""


def without_tokens(response) -> str:
    """The page without its CSRF tokens, which are masked afresh for every answer."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'"X-CSRFToken": "[^"]*"', "", html)


def other_secret(secret: str) -> str:
    """A well-formed secret that is not this dossier's."""
    return "2222-2222" if secret != "2222-2222" else "3333-3333"


def test_it_shows_status_appointment_explanation_and_timeline_without_staff_names(world, client):
    d = receive(world)

    r = track(client, d.code, d.tracking_secret)

    assert r.status_code == 200
    page = r.content.decode()
    assert d.code in page
    assert "Đang giải quyết" in page
    # The appointment, in Hà Nội time, each time labelled; the story in plain words, the
    # citizen's (the same as on their own page: portal/_story.html).
    assert "ngày 30/11/2026, lúc 08:30" in page
    assert "Ngày hẹn trả kết quả" in page
    assert "Hồ sơ được tiếp nhận." in page
    # A hand-over names the agency it went to; inside one agency, nothing; never an officer.
    assert "Hồ sơ được chuyển đến Công an Phường Hoàn Kiếm để giải quyết." in page
    assert "Phòng Văn hóa - Xã hội" not in page
    for name in STAFF_NAMES:
        assert name not in page
    main = page[page.index('<main id="main"') :]
    for jargon in ("→", "giờ làm việc", "Chuyển bước tiếp theo", "Tiếp nhận hồ sơ"):
        assert jargon not in main
    assert "Thư xin lỗi" not in page


def test_it_shows_the_signed_apology_with_the_new_date(world, client):
    d = draft_apology(world, receive(world))
    draft = track(client, d.code, d.tracking_secret).content.decode()
    assert "Thư xin lỗi" not in draft  # a draft is the agency's business until signed

    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    letter = d.apology_letter

    page = track(client, d.code, d.tracking_secret).content.decode()
    assert "Thư xin lỗi" in page
    assert "Công an Phường Hoàn Kiếm xin lỗi" in page
    assert "Chờ xác minh nơi cư trú." in page
    new_date = f"{letter.new_due_at.astimezone(VN):ngày %d/%m/%Y, lúc %H:%M}"
    assert re.search(rf"<strong><time [^>]*>{new_date}</time>\s*</strong>", page)
    assert "ngày 30/11/2026, lúc 08:30" in page  # the original appointment, for the record
    for name in STAFF_NAMES:
        assert name not in page


def test_a_wrong_secret_and_an_unknown_code_look_the_same(world, client):
    d = receive(world)

    wrong_secret = track(client, d.code, other_secret(d.tracking_secret))
    unknown_code = track(client, "H26.100-261125-0099", d.tracking_secret)

    assert wrong_secret.status_code == unknown_code.status_code == 404
    for r in (wrong_secret, unknown_code):
        assert r.context["form"].non_field_errors() == [NOT_FOUND]
        assert "Đang xử lý" not in r.content.decode()


def test_a_malformed_code_gets_a_format_error_on_the_code_field(world, client):
    d = receive(world)

    r = track(client, "HS-12345", d.tracking_secret)

    assert r.status_code == 400
    form = r.context["form"]
    (message,) = form.errors["code"]
    assert "không đúng định dạng" in message
    assert message in r.content.decode()
    assert form.non_field_errors() == []
    assert NOT_FOUND not in r.content.decode()


def test_a_malformed_secret_gets_a_format_error_on_the_secret_field(world, client):
    d = receive(world)

    r = track(client, d.code, "ABC0-OOO1")

    assert r.status_code == 400
    assert "0, O, 1, I, L" in " ".join(r.context["form"].errors["secret"])


@pytest.mark.parametrize(
    "spell",
    [
        lambda s: s,
        lambda s: s.lower(),
        lambda s: s.replace("-", ""),
        lambda s: s.replace("-", "").lower(),
        lambda s: f"  {s.replace('-', ' ').lower()} ",
    ],
    ids=["as-printed", "lower", "no-dash", "lower-no-dash", "spaces"],
)
def test_it_accepts_the_secret_however_it_is_typed(world, client, spell):
    d = receive(world)

    r = track(client, d.code.lower(), spell(d.tracking_secret))

    assert r.status_code == 200
    assert f'<span class="code">{d.code}</span>' in r.content.decode()


def test_it_works_with_query_parameters(world, client):
    d = receive(world)

    r = track(client, d.code, d.tracking_secret, method="get")

    assert r.status_code == 200
    assert "ngày 30/11/2026, lúc 08:30" in r.content.decode()


@pytest.mark.parametrize("query", [{}, {"utm_source": "zalo"}])
def test_it_shows_an_empty_form_without_a_code(db, client, query):
    r = client.get(URL, query)

    assert r.status_code == 200
    assert not r.context["form"].is_bound


def test_empty_fields_are_asked_for(db, client):
    r = track(client, "", "")

    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"code", "secret"}


def test_the_page_reads_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    d = draft_apology(world, receive(world))
    dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )

    # The first time: the code and secret checked (one indexed read), then the dossier with
    # where it is now, its finished hand-overs with agencies and units, the procedure's steps
    # (the open one's name), the signed apology.
    with django_assert_num_queries(5):
        first = track(client, d.code, d.tracking_secret)
    assert first.status_code == 200
    # Then, while the dossier does not change, the check alone: the result is kept rendered.
    with django_assert_num_queries(1):
        again = track(client, d.code, d.tracking_secret)
    assert again.status_code == 200
    assert result_of(again) == result_of(first)


def test_an_overlong_code_is_refused_beside_its_field_without_a_lookup(
    db, client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        r = track(client, "H" * 61, "ABCD-EFGH")

    assert r.status_code == 400
    assert r.context["form"].errors["code"] == ["Tối đa 60 ký tự (đang có 61)."]
    html = r.content.decode()
    assert 'aria-invalid="true" aria-describedby="id_code_error"' in html
    assert '<ul class="errorlist" id="id_code_error">' in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "\u202eH26.100-261125-0001", "secret": "ABCD-EFGH"}, "code", "Mã hồ sơ có một"),
        ({"code": "H26.100-261125-0001", "secret": "ABCD\u200b-EFGH"}, "secret", "Mã tra cứu có"),
    ],
)
def test_tracking_refuses_invisible_characters_beside_the_field(client, db, data, field, message):
    response = client.post(URL, data)
    assert response.status_code == 400
    (shown,) = response.context["form"].errors[field]
    assert shown.startswith(message)


def test_sign_in_refuses_a_bidi_control_in_the_username(client, db):
    from motcua.desk.models import SignInAttempt

    response = client.post("/can-bo/dang-nhap/", {"username": "lan\u202e", "password": "x"})
    assert response.status_code == 400
    (shown,) = response.context["form"].errors["username"]
    assert "Tên đăng nhập có một ký tự không được phép" in shown
    assert not SignInAttempt.objects.exists()


# --- Guessing --------------------------------------------------------------------------------

UNKNOWN = "H26.100-261125-0099"  # well-formed; no dossier has it


@pytest.fixture
def limits(settings):
    """Small limits, so that a test reaches each quickly (the defaults are 5, 30 and 100)."""
    settings.TRACKING_MAX_FAILURES_PER_SOURCE_CODE = 3
    settings.TRACKING_MAX_FAILURES_PER_SOURCE = 6
    settings.TRACKING_MAX_FAILURES_PER_CODE = 8
    settings.TRACKING_WINDOW_MINUTES = 15
    settings.TRACKING_CODE_WINDOW_MINUTES = 60
    # 30 s into a quarter of an hour: the windows' ends, hence Retry-After, are known.
    with time_machine.travel(at("2026-11-26 09:00:30"), tick=False):
        yield settings


def answer(response) -> tuple[int, str | None, str]:
    return response.status_code, response.headers.get("Retry-After"), without_tokens(response)


def test_a_wrong_secret_and_a_missing_code_get_the_same_answer_after_the_same_queries(
    world, client
):
    d = receive(world)
    wrong = other_secret(d.tracking_secret)

    answers, queries = [], []
    for code in (d.code, UNKNOWN):
        with CaptureQueriesContext(connection) as ctx:
            r = track(client, code, wrong)
        answers.append(answer(r))
        queries.append([q["sql"].replace(code, "?") for q in ctx.captured_queries])
    # The form echoes the code typed; with that put aside, nothing tells the two apart.
    existing, missing = answers
    assert existing[:2] == missing[:2] == (404, None)
    assert existing[2].replace(d.code, "?") == missing[2].replace(UNKNOWN, "?")
    assert NOT_FOUND in existing[2]
    assert queries[0] == queries[1] and len(queries[0]) == 1


def test_wrong_tries_at_one_code_are_refused_with_429_even_the_right_secret(world, client, limits):
    d = receive(world)
    wrong = other_secret(d.tracking_secret)

    statuses = [track(client, d.code, wrong).status_code for _ in range(3)]
    refused = track(client, d.code, wrong)
    right = track(client, d.code, d.tracking_secret)

    assert statuses == [404, 404, 404]
    assert refused.status_code == right.status_code == 429
    assert result_of(right) == ""  # nothing of the dossier to a guesser who found the secret
    (message,) = right.context["form"].non_field_errors()
    assert message.startswith("Đã nhập sai mã hồ sơ hoặc mã tra cứu quá nhiều lần.")
    assert "Vui lòng thử lại sau 15 phút." in message
    assert right["Retry-After"] == refused["Retry-After"] == str(15 * 60 - 30)
    assert message in right.content.decode()
    # The citizen at another address is not kept out by someone else's guesses at one code.
    other = track(client, d.code, d.tracking_secret, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200
    assert d.code in result_of(other)


def test_a_missing_code_is_limited_exactly_like_an_existing_one(world, client, limits):
    d = receive(world)
    wrong = other_secret(d.tracking_secret)

    def run(code, address):
        return [answer(track(client, code, wrong, REMOTE_ADDR=address)) for _ in range(5)]

    existing, missing = run(d.code, "192.0.2.1"), run(UNKNOWN, "192.0.2.2")
    assert [a[0] for a in existing] == [404, 404, 404, 429, 429]
    for (s1, r1, html1), (s2, r2, html2) in zip(existing, missing, strict=True):
        assert (s1, r1 is None) == (s2, r2 is None)
        assert html1.replace(d.code, "?") == html2.replace(UNKNOWN, "?")


def test_the_limit_ends_with_its_window(world, client, limits):
    d = receive(world)
    with time_machine.travel(at("2026-11-26 09:05"), tick=False) as clock:
        for _ in range(3):
            track(client, d.code, other_secret(d.tracking_secret))
        refused = track(client, d.code, d.tracking_secret)
        assert (refused.status_code, refused["Retry-After"]) == (429, "600")
        clock.shift(timedelta(seconds=599))
        assert track(client, d.code, d.tracking_secret).status_code == 429
        clock.shift(timedelta(seconds=1))
        assert track(client, d.code, d.tracking_secret).status_code == 200


def test_one_source_guessing_through_many_codes_is_refused(world, client, limits):
    d = receive(world)
    codes = [f"H26.100-261125-{n:04d}" for n in range(50, 56)]  # six codes, two tries each
    statuses = [track(client, c, "2222-2222").status_code for c in codes]

    assert statuses == [404] * 6
    # The source's limit (6) is reached: even the right pair of another code is refused.
    assert track(client, d.code, d.tracking_secret).status_code == 429
    assert track(client, d.code, d.tracking_secret, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_many_sources_guessing_at_one_code_lock_that_code_for_everyone_for_a_while(
    world, client, limits
):
    d = receive(world)
    wrong = other_secret(d.tracking_secret)
    for n in range(8):  # two tries each from four addresses: no source reaches its own limits
        track(client, d.code, wrong, REMOTE_ADDR=f"203.0.113.{n // 2}")

    fresh = track(client, d.code, d.tracking_secret, REMOTE_ADDR="198.51.100.7")
    assert fresh.status_code == 429
    assert fresh["Retry-After"] == str(60 * 60 - 30)  # the code's window is an hour
    # Other dossiers are not affected.
    assert track(client, UNKNOWN, wrong, REMOTE_ADDR="198.51.100.7").status_code == 404


def test_behind_a_trusted_proxy_the_proxys_address_counts_not_what_the_client_wrote(
    world, client, limits
):
    limits.TRUSTED_PROXY_HEADER = "HTTP_X_FORWARDED_FOR"
    d = receive(world)
    wrong = other_secret(d.tracking_secret)
    for n in range(3):  # a guesser writing a new address first each time
        track(client, d.code, wrong, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9")

    same = track(client, d.code, d.tracking_secret, HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.9")
    other = track(client, d.code, d.tracking_secret, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert (same.status_code, other.status_code) == (429, 200)


def test_a_malformed_pair_is_not_counted(world, client, limits):
    d = receive(world)
    for _ in range(5):
        assert track(client, d.code, "ABC0-OOO1").status_code == 400
    assert track(client, d.code, d.tracking_secret).status_code == 200


# --- The kept result -------------------------------------------------------------------------


def test_the_qr_link_of_the_receipt_opens_the_dossier(world, client):
    d = receive(world)

    r = client.get(tracking_url(d).removeprefix("http://testserver"))

    assert r.status_code == 200
    assert f'<span class="code">{d.code}</span>' in result_of(r)


def test_a_change_is_shown_at_once_never_the_page_kept_before(world, client):
    d = receive(world)
    before = result_of(track(client, d.code, d.tracking_secret))
    assert "Công an Phường Hoàn Kiếm" in before

    d = draft_apology(world, d)
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    after = result_of(track(client, d.code, d.tracking_secret))

    assert "Thư xin lỗi" not in before
    assert "Thư xin lỗi" in after


def refreshed(client, d, times=3):
    """The QR link opened `times` times: by the third, the page kept for the pair is current
    (the first makes the dossier's stamp, the second keeps the page under it)."""
    return [track(client, d.code, d.tracking_secret, method="get") for _ in range(times)][-1]


def test_a_right_refresh_is_answered_from_the_kept_page_without_the_database(
    world, client, django_assert_num_queries
):
    d = receive(world)
    first = track(client, d.code, d.tracking_secret, method="get")
    with django_assert_num_queries(1):  # the secret checked; the page kept under the stamp
        track(client, d.code, d.tracking_secret, method="get")
    with django_assert_num_queries(0):
        again = track(client, d.code, d.tracking_secret, method="get")
    assert again.status_code == 200
    assert result_of(again) == result_of(first) and d.code in result_of(again)
    assert "no-store" in again["Cache-Control"]


def test_without_a_shared_cache_every_refresh_checks_the_database(
    world, client, settings, django_assert_num_queries
):
    settings.TRACKING_REFRESH_FROM_CACHE = False  # a cache per process: the worker's writes
    d = receive(world)
    refreshed(client, d)
    with django_assert_num_queries(1):
        assert track(client, d.code, d.tracking_secret, method="get").status_code == 200


def test_a_refresh_after_an_action_shows_the_new_status_never_the_current_page_before(
    world, client, django_assert_num_queries
):
    d = receive(world)
    refreshed(client, d, times=2)
    with django_assert_num_queries(0):
        before = result_of(track(client, d.code, d.tracking_secret, method="get"))
    assert "Công an Phường Hoàn Kiếm" in before and "Thư xin lỗi" not in before

    d = draft_apology(world, d)
    d = dossier_act(
        dossier=d, action=Action.APPROVE_APOLOGY, actor=world.kien, now=at("2026-11-26 10:00")
    )
    after = result_of(track(client, d.code, d.tracking_secret, method="get"))
    assert "Thư xin lỗi" in after


def test_a_current_page_turns_overdue_when_the_due_time_passes(world, client):
    d = receive(world)
    with time_machine.travel(d.due_at - timedelta(minutes=1), tick=False) as clock:
        on_time = result_of(refreshed(client, d))
        clock.shift(timedelta(minutes=2))
        late = result_of(track(client, d.code, d.tracking_secret, method="get"))

    assert "Quá hạn" not in on_time
    assert "Quá hạn" in late


def test_wrong_tries_after_a_current_page_are_limited_and_the_right_pair_refused_with_them(
    world, client, limits
):
    d = receive(world)
    refreshed(client, d)
    wrong = other_secret(d.tracking_secret)
    assert [track(client, d.code, wrong).status_code for _ in range(3)] == [404, 404, 404]

    right = track(client, d.code, d.tracking_secret, method="get")
    assert right.status_code == 429 and result_of(right) == ""
    assert right["Retry-After"] == str(15 * 60 - 30)
    (message,) = right.context["form"].non_field_errors()
    assert message.startswith("Đã nhập sai mã hồ sơ hoặc mã tra cứu quá nhiều lần.")
    other = track(client, d.code, d.tracking_secret, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200 and d.code in result_of(other)


def test_a_wrong_secret_looks_like_a_missing_code_while_the_right_pairs_page_is_current(
    world, client
):
    d = receive(world)
    refreshed(client, d)
    wrong = other_secret(d.tracking_secret)

    answers, queries = [], []
    for code in (d.code, UNKNOWN):
        with CaptureQueriesContext(connection) as ctx:
            r = track(client, code, wrong)
        answers.append(answer(r))
        queries.append([q["sql"].replace(code, "?") for q in ctx.captured_queries])
    existing, missing = answers
    assert existing[:2] == missing[:2] == (404, None)
    assert existing[2].replace(d.code, "?") == missing[2].replace(UNKNOWN, "?")
    assert queries[0] == queries[1] and len(queries[0]) == 1


def test_each_language_has_its_own_current_page(world, client):
    d = receive(world)
    vi = result_of(refreshed(client, d))
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    en = result_of(refreshed(client, d, times=1))
    assert "Trạng thái" in vi
    assert en and "Trạng thái" not in en
    client.post("/i18n/setlang/", {"language": "vi", "next": URL})
    assert result_of(track(client, d.code, d.tracking_secret, method="get")) == vi


def test_the_overdue_badge_appears_when_the_due_time_passes_without_a_change(world, client):
    d = receive(world)
    with time_machine.travel(d.due_at - timedelta(minutes=1), tick=False) as clock:
        on_time = result_of(track(client, d.code, d.tracking_secret))
        clock.shift(timedelta(minutes=2))
        late = result_of(track(client, d.code, d.tracking_secret))

    assert "Quá hạn" not in on_time
    assert "Quá hạn" in late


def test_each_language_has_its_own_kept_page(world, client):
    d = receive(world)
    vi = result_of(track(client, d.code, d.tracking_secret))
    client.post("/i18n/setlang/", {"language": "en", "next": URL})
    en = result_of(track(client, d.code, d.tracking_secret))

    assert "Trạng thái" in vi
    assert en and "Trạng thái" not in en


def test_tries_sent_at_once_are_counted_before_any_is_answered(world, limits):
    from motcua.core.errors import TooManyTries
    from motcua.portal import tracking

    now = at("2026-11-26 09:00:30").timestamp()
    # Three lookups of one pair still running (none answered yet): a fourth is refused.
    running = [tracking.begin("203.0.113.9", UNKNOWN, now) for _ in range(3)]
    with pytest.raises(TooManyTries):
        tracking.begin("203.0.113.9", UNKNOWN, now)
    # One of them was right after all: it gives its count back and another may try.
    running[0].succeeded()
    tracking.begin("203.0.113.9", UNKNOWN, now)


def test_a_right_pair_refreshed_often_is_never_limited(world, client, limits):
    d = receive(world)
    statuses = {track(client, d.code, d.tracking_secret).status_code for _ in range(12)}
    assert statuses == {200}


def test_an_answer_with_the_secret_on_it_is_not_kept_by_browsers_or_proxies(world, client):
    d = receive(world)
    for r in (track(client, d.code, d.tracking_secret), track(client, d.code, "2222-2222")):
        assert "no-store" in r["Cache-Control"] and "private" in r["Cache-Control"]


def test_a_kept_page_carries_each_visitors_own_input_no_token_and_never_the_secret(
    world, django_assert_num_queries
):
    from django.core.cache import cache
    from django.test import Client

    d = receive(world)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    code, secret = d.code.lower(), d.tracking_secret.lower()
    track(first, code, secret, method="get")  # rendered and kept
    with django_assert_num_queries(1):  # the secret checked; the page is the kept one
        r = track(second, code, secret, method="get")

    html = r.content.decode()
    assert f'value="{d.code.lower()}"' in html and f'value="{d.tracking_secret.lower()}"' in html
    next_path = f"/tra-cuu/?code={code}&amp;secret={secret}"
    assert f'name="next" type="hidden" value="{next_path}"' in html
    # No token minted: none on the page, no cookie set, the session not even opened.
    assert "csrfmiddlewaretoken" not in html and "X-CSRFToken" not in html
    assert not r.cookies
    assert "Cookie" not in r.get("Vary", "")
    # The form on the page can be sent again without one.
    again = second.post(URL, {"code": d.code, "secret": d.tracking_secret})
    assert again.status_code == 200 and d.code in result_of(again)
    kept = [v for k, v in cache._cache.items() if k.startswith(":1:track:page:")]
    assert kept and not any(d.tracking_secret.encode() in v for v in kept)


def test_the_language_switch_needs_no_token_and_returns_only_to_this_site(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get(URL).content.decode()
    assert 'action="/i18n/setlang/"' in page and "csrfmiddlewaretoken" not in page

    switched = client.post("/i18n/setlang/", {"language": "en", "next": URL})
    assert (switched.status_code, switched["Location"]) == (302, URL)
    assert switched.cookies["django_language"].value == "en"
    away = client.post("/i18n/setlang/", {"language": "vi", "next": "https://example.org/"})
    assert (away.status_code, away["Location"]) == (302, "/")


def _with_message(client, text: str) -> None:
    """A message waiting for this client alone, in its messages cookie."""
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    storage = CookieStorage(HttpRequest())
    response = HttpResponse()
    storage._store([Message(constants.SUCCESS, text)], response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value


@pytest.mark.parametrize("message_first", [True, False], ids=["message-first", "kept-first"])
def test_a_message_for_one_visitor_is_shown_to_them_and_never_kept(world, message_first):
    from django.test import Client

    d = receive(world)
    mine, other = Client(), Client()
    _with_message(mine, "Đã gửi đánh giá của bạn.")
    order = [mine, other] if message_first else [other, mine]
    pages = {id(c): track(c, d.code, d.tracking_secret, method="get") for c in order}

    assert "Đã gửi đánh giá của bạn." in pages[id(mine)].content.decode()
    assert "Đã gửi đánh giá của bạn." not in pages[id(other)].content.decode()
    assert (
        "Đã gửi đánh giá của bạn." not in track(other, d.code, d.tracking_secret).content.decode()
    )


# --- The QR link's fast path ----------------------------------------------------------------------

GOOD_CODE = "H26.100-261125-0042"


@pytest.mark.parametrize(
    ("code", "secret"),
    [
        (GOOD_CODE, "ABCD-EFGH"),
        (GOOD_CODE.lower(), "abcdefgh"),
        (f"  {GOOD_CODE} ", " abcd efgh  "),
        (GOOD_CODE, "ABC0-OOO1"),  # refused characters
        (GOOD_CODE, "ABCD-EFG"),  # too short
        ("HS-12345", "ABCD-EFGH"),  # not a code
        ("H26.100-261332-0042", "ABCD-EFGH"),  # no such day
        ("", "ABCD-EFGH"),
        (GOOD_CODE, ""),
        ("H" * 61, "ABCD-EFGH"),
        (GOOD_CODE, "A" * 21),
        (f"\u00a0{GOOD_CODE}", "ABCD-EFGH"),  # a no-break space: the form's call
        (f"\u202e{GOOD_CODE}", "ABCD-EFGH"),
        (GOOD_CODE, "ABCD\u200b-EFGH"),
        (GOOD_CODE, "ABCD\tEFGH"),
        ("Ｈ26.100-261125-0042", "ABCD-EFGH"),  # full-width H
        (GOOD_CODE, "ÀBCD-EFGH"),
    ],
)
def test_the_fast_path_takes_only_pairs_the_form_takes_and_cleans_them_alike(code, secret):
    from django.http import QueryDict

    from motcua.portal.views import TrackForm

    data = QueryDict(mutable=True)
    data.update({"code": code, "secret": secret})
    form = TrackForm(data)
    pair = TrackForm.plain_pair(data)

    if not form.is_valid():
        assert pair is None  # the form then says what is wrong
    elif (code + secret).isascii():
        assert pair == (form.cleaned_data["code"], form.cleaned_data["secret"])
    else:
        assert pair in (None, (form.cleaned_data["code"], form.cleaned_data["secret"]))


def test_the_fast_path_takes_the_qr_links_pair(world):
    from django.http import QueryDict

    from motcua.portal.views import TrackForm

    d = receive(world)
    query = tracking_url(d).partition("?")[2]
    assert TrackForm.plain_pair(QueryDict(query)) == (d.code, d.tracking_secret.replace("-", ""))
