"""Bad input at the desk, through the test client: every field bounded, each message beside
its field in Vietnamese, every error in one answer, a 4xx (never a 500), and nothing stored."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine

from motcua.core.errors import InvalidInput, ValidationError, _
from motcua.core.lifecycle import Action
from motcua.dossiers.models import (
    ApologyLetter,
    DailySequence,
    Dossier,
    DossierAccess,
    DossierDocument,
    DossierEvent,
    DossierStep,
)
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.notify.models import OutboxMessage
from tests.conftest import at
from tests.desk.test_pages import NOW, receive, reception_post, signin
from tests.dossiers.test_services import forward, intake

TABLES = [
    Dossier,
    DossierEvent,
    DossierStep,
    DossierDocument,
    OutboxMessage,
    DailySequence,
    ApologyLetter,
    DossierAccess,
]
RECEPTION = "/can-bo/tiep-nhan/"


@pytest.fixture(autouse=True)
def _frozen_clock():
    with time_machine.travel(NOW, tick=False):
        yield


def rows() -> dict[str, int]:
    """How many rows each table the write path touches holds."""
    return {model.__name__: model.objects.count() for model in TABLES}


def beside(response, field_id: str) -> list[str]:
    """The messages shown beside the input with this id, which must point at them."""
    html = unescape(response.content.decode())
    listed = re.search(rf'<ul class="errorlist" id="{field_id}_error">(.*?)</ul>', html, re.S)
    assert listed, f"no message beside #{field_id}"
    tag = re.search(rf'<(?:input|select|textarea|fieldset|div)[^>]*id="{field_id}"[^>]*>', html)
    if tag and not tag[0].startswith("<div"):
        assert 'aria-invalid="true"' in tag[0] or "<fieldset" in tag[0]
        assert f'aria-describedby="{field_id}_error"' in tag[0]
    return re.findall(r"<li>(.*?)</li>", listed[1], re.S)


# ---------------------------------------------------------------------------------------------
# Reception

COPIES = "Nhập một số nguyên từ 1 đến 99."
NOT_IN_LIST = "Lựa chọn không hợp lệ; hãy chọn một mục trong danh sách."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"copies": "²"}, "copies", COPIES),
        ({"copies": "0"}, "copies", COPIES),
        ({"copies": "100000"}, "copies", COPIES),
        ({"copies": "-1"}, "copies", COPIES),
        ({"copies": "1e3"}, "copies", COPIES),
        ({"outcome": "accept"}, "outcome", NOT_IN_LIST),
        ({"outcome": ""}, "outcome", "Hãy chọn một mục."),
        ({"delivery": "drone"}, "delivery", NOT_IN_LIST),
        ({"name": ""}, "name", "Không được để trống."),
        ({"name": "A" * 201}, "name", "Tối đa 200 ký tự (đang có 201)."),
        ({"address": "Số 5 " * 100}, "address", "Tối đa 300 ký tự (đang có 499)."),
        ({"phone": "0" * 21}, "phone", "Tối đa 20 ký tự (đang có 21)."),
        ({"email": "binh@"}, "email", "Địa chỉ thư điện tử không đúng (ví dụ: ten@example.vn)."),
        ({"request": "x" * 1001}, "request", "Tối đa 1000 ký tự (đang có 1001)."),
        ({"reason": "x" * 2001}, "reason", "Tối đa 2000 ký tự (đang có 2001)."),
        ({"missing": "Tờ khai\n" * 31}, "missing", "Tối đa 30 dòng (đang có 31)."),
        ({"documents": ["abc"]}, "documents", "Có mục không thuộc danh sách; hãy chọn lại."),
        ({"id_number": "12345"}, "id_number", "Số định danh có 5 chữ số;"),
        ({"name": "Lê \u202eVăn An"}, "name", "Họ và tên có một ký tự không được phép"),
        ({"address": "Số 5\u200b Hàng Bạc"}, "address", "Địa chỉ có một ký tự không được phép"),
        ({"request": "Cấp\u2066 bản sao"}, "request", "Nội dung yêu cầu có một ký tự không"),
        ({"reason": "Thiếu\x07 giấy"}, "reason", "Lý do từ chối có một ký tự không"),
        ({"missing": "Tờ khai\n\ufeffGiấy"}, "missing", "Giấy tờ cần bổ sung, hoàn thiện có"),
        ({"rep_name": "Bình\u00ad"}, "rep_name", "Họ và tên người được ủy quyền có một"),
        ({"phone": "0912\u200e345678"}, "phone", "Điện thoại có một ký tự không được phép"),
        ({"email": "binh\u200d@example.vn"}, "email", "Thư điện tử có một ký tự không"),
    ],
)
def test_reception_refuses_bad_input_beside_its_field_and_stores_nothing(
    world, client, changes, field, message
):
    before = rows()

    response = signin(client, "lan").post(RECEPTION, reception_post(world, **changes))

    assert response.status_code == 400
    (shown,) = beside(response, f"id_{field}")
    assert shown.startswith(message)
    assert rows() == before


def test_a_paper_of_another_procedure_is_not_among_the_boxes(world, client):
    other = world.birth.versions.get().documents.first()
    before = rows()

    response = signin(client, "lan").post(
        RECEPTION, reception_post(world, documents=[str(other.pk)])
    )

    assert response.status_code == 400
    assert beside(response, "id_documents") == ["Có mục không thuộc danh sách; hãy chọn lại."]
    assert rows() == before


def test_an_unknown_outcome_is_an_error_never_a_reception(world, client):
    """It used to be taken for "receive": a code issued, the clock started."""
    response = signin(client, "lan").post(RECEPTION, reception_post(world, outcome="nhận"))

    assert response.status_code == 400
    assert beside(response, "id_outcome") == [NOT_IN_LIST]
    assert not Dossier.objects.exists()
    assert not DailySequence.objects.exists()  # no code was drawn


def test_every_bad_field_is_marked_in_one_answer_and_what_was_typed_stays(world, client):
    response = signin(client, "lan").post(
        RECEPTION,
        reception_post(
            world, copies="²", outcome="accept", name="B" * 201, address="Số 5 Hàng Bạc"
        ),
    )

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"copies", "outcome", "name"}
    assert beside(response, "id_copies") == [COPIES]
    assert beside(response, "id_outcome") == [NOT_IN_LIST]
    assert beside(response, "id_name") == ["Tối đa 200 ký tự (đang có 201)."]
    html = unescape(response.content.decode())
    assert 'value="Số 5 Hàng Bạc"' in html
    assert 'name="copies" value="²"' in html
    assert "hãy sửa các mục được đánh dấu" in html
    assert not Dossier.objects.exists()


def test_the_centre_must_name_an_existing_commune(world, client):
    before = rows()

    response = signin(client, "ha").post(RECEPTION, reception_post(world, commune="H26.999"))

    assert response.status_code == 400
    assert beside(response, "id_commune") == [NOT_IN_LIST]
    assert rows() == before


def test_the_centre_offers_and_accepts_only_the_communes_of_its_province(world, client):
    from tests.dossiers.test_services import another_province

    hai_chau = another_province()
    signin(client, "ha")
    page = client.get(RECEPTION, {"procedure": "3.000722"})
    assert [c for c, _ in page.context["form"].fields["commune"].choices] == [
        "",
        "H26.101",
        "H26.100",
    ]
    before = rows()

    response = client.post(RECEPTION, reception_post(world, commune=hai_chau.code))

    assert response.status_code == 400
    assert beside(response, "id_commune") == [NOT_IN_LIST]
    assert rows() == before


def test_a_domain_refusal_at_reception_comes_back_beside_the_field_it_names(world, client):
    response = signin(client, "lan").post(
        RECEPTION, reception_post(world, outcome="refuse", reason="   ")
    )

    assert response.status_code == 400
    assert beside(response, "id_reason") == ["Phải nêu rõ lý do từ chối tiếp nhận."]


def test_several_problems_from_the_service_are_all_shown(world, client, monkeypatch):
    """The service may report several problems at once (InvalidInput): each goes beside its
    field, by the service's name for it; one naming no input goes above the form."""

    def refuse(**kwargs):
        raise InvalidInput(
            [
                ValidationError(_("Chưa nhập họ tên người nộp hồ sơ."), field="applicant_name"),
                ValidationError(
                    _("Người nộp thay phải có văn bản ủy quyền."), field="authorisation"
                ),
                ValidationError(_("Kênh nộp hồ sơ không hợp lệ."), field="channel"),
            ]
        )

    monkeypatch.setattr("motcua.desk.views.reception.dossier_receive", refuse)

    response = signin(client, "lan").post(RECEPTION, reception_post(world))

    assert response.status_code == 400
    assert beside(response, "id_name") == ["Chưa nhập họ tên người nộp hồ sơ."]
    assert beside(response, "id_authorisation") == ["Người nộp thay phải có văn bản ủy quyền."]
    alert = re.search(r'id="reception-error"[^>]*>\s*<p>(.*?)</p>', response.content.decode(), re.S)
    assert alert[1] == "Kênh nộp hồ sơ không hợp lệ."


def test_a_tampered_page_key_is_refused_and_a_fresh_one_given(world, client):
    response = signin(client, "lan").post(
        RECEPTION, reception_post(world, form_key="<script>x</script>")
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Trang đã cũ; hãy tải lại trang." in html
    assert re.search(r'name="form_key" value="[0-9a-f]{32}"', html)
    assert not Dossier.objects.exists()


def test_a_refused_reception_keeps_its_key_so_the_corrected_one_is_received_once(world, client):
    signin(client, "lan")
    refused = client.post(RECEPTION, reception_post(world, copies="0", form_key="k-9"))
    assert 'name="form_key" value="k-9"' in refused.content.decode()

    first = client.post(RECEPTION, reception_post(world, form_key="k-9"))
    second = client.post(RECEPTION, reception_post(world, form_key="k-9"))

    assert first["Location"] == second["Location"]
    assert Dossier.objects.count() == 1


def test_reception_of_an_unknown_procedure_shows_the_search_again(world, client):
    response = signin(client, "lan").post(RECEPTION, reception_post(world, procedure="9.999"))

    assert response.status_code == 400
    assert "Tìm thủ tục" in response.content.decode()
    assert not Dossier.objects.exists()


# ---------------------------------------------------------------------------------------------
# Actions on the dossier page


def act_url(d) -> str:
    return f"/can-bo/ho-so/{d.pk}/thao-tac/"


def alert(response) -> str:
    html = unescape(response.content.decode())
    found = re.search(r'<div class="error" role="alert" id="action-error">(.*?)</div>', html, re.S)
    assert found, "no alert on the page"
    return re.sub(r"<[^>]+>", "", found[1])


@pytest.fixture
def at_the_police(world):
    """A chain dossier at the commune police, late on its step: Tâm may draft the apology."""
    return at_police(world)


VERSION = "Nhập một số nguyên từ 0 đến 2147483647."


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("abc", VERSION),
        ("²", VERSION),
        ("-1", VERSION),
        ("99999999999", VERSION),
        ("1.5", VERSION),
        ("", "Không được để trống."),
    ],
    ids=repr,
)
def test_a_bad_version_is_refused(world, client, version, message):
    d = receive(world)
    before = rows()

    response = signin(client, "lan").post(act_url(d), {"action": "forward", "version": version})

    assert response.status_code == 400
    assert alert(response) == f"Không thực hiện được: {message}"
    assert rows() == before


@pytest.mark.parametrize("action", ["explode", "", "submit", "warn", "mark_overdue"])
def test_an_unknown_action_is_refused(world, client, action):
    d = receive(world)
    before = rows()

    response = signin(client, "lan").post(act_url(d), {"action": action, "version": d.version})

    assert response.status_code == 400
    assert alert(response) in (
        f"Không thực hiện được: {m}" for m in (NOT_IN_LIST, "Hãy chọn một mục.")
    )
    assert rows() == before


def test_a_person_of_another_agency_cannot_be_assigned(world, client):
    d = forward(receive(world), world.lan, "2026-11-25 09:00")
    before = rows()

    response = signin(client, "son").post(
        act_url(d), {"action": "assign", "version": d.version, "to_user": world.minh.user_id}
    )

    assert response.status_code == 400
    assert beside(response, "assign-to_user") == [NOT_IN_LIST]
    assert rows() == before


@pytest.mark.parametrize("to_user", ["abc", "", "1e9"], ids=repr)
def test_an_assignee_must_be_chosen_from_the_list(world, client, to_user):
    d = forward(receive(world), world.lan, "2026-11-25 09:00")

    response = signin(client, "son").post(
        act_url(d), {"action": "assign", "version": d.version, "to_user": to_user}
    )

    assert response.status_code == 400
    assert beside(response, "assign-to_user")[0] in (NOT_IN_LIST, "Hãy chọn người được giao hồ sơ.")


def test_forwarding_to_someone_outside_the_next_unit_is_refused(world, client):
    d = receive(world)

    response = signin(client, "lan").post(
        act_url(d), {"action": "forward", "version": d.version, "to_user": world.tam.user_id}
    )

    assert response.status_code == 400
    assert beside(response, "forward-to_user") == [NOT_IN_LIST]
    d.refresh_from_db()
    assert d.step_index == 0


@pytest.mark.parametrize(
    ("new_due", "message"),
    [
        ("2026-13-45T25:00", "Ngày giờ không hợp lệ"),
        ("ngày mai", "Ngày giờ không hợp lệ"),
        ("0001-01-01T00:00", "Chọn ngày giờ từ 10:00 25/11/2026 đến 10:00 26/11/2027."),
        ("9999-12-31T23:59", "Chọn ngày giờ từ 10:00 25/11/2026 đến 10:00 26/11/2027."),
    ],
)
def test_a_malformed_new_date_is_refused_beside_it(world, client, at_the_police, new_due, message):
    d = at_the_police
    before = rows()

    response = signin(client, "tam").post(
        act_url(d),
        {"action": "draft_apology", "version": d.version, "new_due": new_due, "note": "Chờ."},
    )

    assert response.status_code == 400
    (shown,) = beside(response, "draft_apology-new_due")
    assert shown.startswith(message)
    assert rows() == before


def test_a_new_date_the_domain_refuses_comes_back_beside_it(world, client, at_the_police):
    d = at_the_police  # appointment Mon 30/11 08:30

    response = signin(client, "tam").post(
        act_url(d),
        {
            "action": "draft_apology",
            "version": d.version,
            "new_due": "2026-11-27T09:00",
            "note": "Chờ xác minh.",
        },
    )

    assert response.status_code == 400
    assert beside(response, "draft_apology-new_due") == ["Ngày hẹn mới phải sau ngày hẹn hiện tại."]
    assert not ApologyLetter.objects.exists()


def submitted_online(world):
    return dossier_receive(
        intake=intake(world, channel=2),
        actor=world.lan,
        now=at("2026-11-25 08:00"),
        outcome=Action.SUBMIT,
    )


def with_duc(world):
    return forward(receive(world), world.lan, "2026-11-25 09:00")


def at_police(world):
    return forward(with_duc(world), world.duc, "2026-11-25 09:30")


@pytest.mark.parametrize(
    ("dossier", "who", "action"),
    [
        (submitted_online, "lan", "refuse"),
        (at_police, "tam", "send_back"),
        (at_police, "tam", "draft_apology"),
        (receive, "lan", "stop"),
    ],
)
def test_a_required_reason_is_asked_for(world, client, dossier, who, action):
    d = dossier(world)
    before = rows()

    response = signin(client, who).post(
        act_url(d), {"action": action, "version": d.version, "note": "   "}
    )

    assert response.status_code == 400
    assert beside(response, f"{action}-note") == ["Không được để trống."]
    assert rows() == before


def test_an_overlong_note_is_refused(world, client):
    d = receive(world)

    response = signin(client, "lan").post(
        act_url(d), {"action": "forward", "version": d.version, "note": "x" * 2001}
    )

    assert response.status_code == 400
    assert beside(response, "forward-note") == ["Tối đa 2000 ký tự (đang có 2001)."]
    assert 'name="note"' in response.content.decode()  # what was typed is still there


@pytest.mark.parametrize(
    ("missing", "message"),
    [("  \n \n", "Không được để trống."), ("Tờ khai\n" * 31, "Tối đa 30 dòng (đang có 31).")],
)
def test_the_missing_papers_are_listed_within_bounds(world, client, missing, message):
    d = forward(receive(world), world.lan, "2026-11-25 09:00")
    before = rows()

    response = signin(client, "duc").post(
        act_url(d), {"action": "request_supplement", "version": d.version, "missing": missing}
    )

    assert response.status_code == 400
    assert beside(response, "request_supplement-missing") == [message]
    assert rows() == before


def test_the_result_is_returned_only_in_a_known_way(world, client):
    d = ready_to_return(world)
    before = rows()

    response = signin(client, "lan").post(
        act_url(d), {"action": "return_result", "version": d.version, "delivery": "drone"}
    )

    assert response.status_code == 400
    assert beside(response, "return_result-delivery") == [NOT_IN_LIST]
    assert rows() == before


def ready_to_return(world):
    d = dossier_receive(
        intake=intake(world, world.birth), actor=world.lan, now=at("2026-11-25 08:30")
    )
    d = forward(d, world.lan, "2026-11-25 08:45")
    d = dossier_act(dossier=d, action=Action.PROPOSE, actor=world.duc, now=at("2026-11-25 09:00"))
    d = forward(d, world.duc, "2026-11-25 09:05")
    d = dossier_act(dossier=d, action=Action.APPROVE, actor=world.long, now=at("2026-11-25 09:10"))
    return dossier_act(
        dossier=d, action=Action.MARK_READY, actor=world.long, now=at("2026-11-25 09:15")
    )


def test_every_bad_field_of_an_action_is_marked_in_one_answer(world, client, at_the_police):
    d = at_the_police
    before = rows()

    response = signin(client, "tam").post(
        act_url(d),
        {"action": "draft_apology", "version": "x", "new_due": "hôm qua", "note": ""},
    )

    assert response.status_code == 400
    (offered,) = [a for a in response.context["actions"] if a["action"] is Action.DRAFT_APOLOGY]
    assert set(offered["form"].errors) == {"version", "new_due", "note"}
    assert alert(response) == f"Không thực hiện được: {VERSION}"  # a tampered page
    assert beside(response, "draft_apology-new_due")[0].startswith("Ngày giờ không hợp lệ")
    assert beside(response, "draft_apology-note") == ["Không được để trống."]
    assert 'value="hôm qua"' in unescape(response.content.decode())
    assert rows() == before


# ---------------------------------------------------------------------------------------------
# A refusal by the domain, with its status, and no trace


@pytest.mark.parametrize(
    ("who", "post", "status", "phrase"),
    [
        ("minh", {"action": "forward"}, 404, "Không tìm thấy hồ sơ"),  # NotFound
        ("lan", {"action": "approve"}, 403, "không có quyền"),  # PermissionDenied
        ("duc", {"action": "forward", "version": 1}, 409, "vừa được người khác cập nhật"),
        ("duc", {"action": "mark_ready"}, 400, "chỉ có ở bước cuối"),  # GuardError
        ("lan", {"action": "return_result"}, 400, "Không thể “Trả kết quả”"),  # TransitionError
    ],
    ids=["not-found", "forbidden", "conflict", "guard", "transition"],
)
def test_a_refused_action_answers_its_status_and_leaves_no_trace(
    world, client, who, post, status, phrase
):
    d = forward(receive(world), world.lan, "2026-11-25 09:00")
    before = rows()

    response = signin(client, who).post(act_url(d), {"version": d.version, **post})

    assert response.status_code == status
    assert phrase in unescape(response.content.decode())
    assert rows() == before
    d.refresh_from_db()
    assert d.version == 2


@pytest.mark.parametrize(
    "query",
    [
        "?q=%E2%80%AEabc",  # U+202E
        "?q=Tr%E1%BA%A7n%E2%80%8BB%C3%ACnh",  # a zero-width space inside "Trần Bình"
        "?procedure=1.001193%07",
        "?status=3",  # a status the inbox does not list
        "?channel=9&bucket=nowhere&scope=everything",
        "?page=abc",
        "?q=" + "x" * 500,
    ],
)
def test_a_tampered_inbox_link_opens_the_inbox_without_its_bad_filters(world, client, query):
    receive(world)
    response = signin(client, "lan").get("/can-bo/" + query, follow=True)
    assert response.status_code == 200
    filters = response.context["filters"]
    assert filters.q == ""
    assert filters.procedure == ""
    assert filters.status in (None, 2, 4, 5, 6, 9) and filters.scope in ("mine", "unit", "agency")


@pytest.mark.parametrize("query", ["?q=%00khai", "?status=%00", "?page=%00"])
def test_a_nul_in_a_list_link_is_refused_by_the_edge(world, client, query):
    """A NUL is never typed: the edge refuses the whole request (tests/test_nul.py)."""
    response = signin(client, "lan").get("/can-bo/" + query)
    assert response.status_code == 400
    assert "ký tự NUL (U+0000)" in unescape(response.content.decode())


def test_an_invisible_character_in_the_procedure_search_is_a_search_for_nothing(world, client):
    signin(client, "lan")
    response = client.get("/can-bo/tiep-nhan/thu-tuc/?q=khai%E2%80%8Bsinh")
    assert response.status_code == 200
    assert response.content == client.get("/can-bo/tiep-nhan/thu-tuc/").content


# ---------------------------------------------------------------------------------------------
# Lists that form 02 and form 03 print: bounded before anything is stored or rendered


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"outcome": "supplement", "documents": [], "missing": "Tờ khai\n" * 5000},
            "missing",
            "Tối đa 30 dòng (đang có 5000).",
        ),
        (
            {"outcome": "supplement", "documents": [], "missing": "x" * 301},
            "missing",
            "Mỗi dòng tối đa 300 ký tự (dòng 1 có 301).",
        ),
        (
            {"outcome": "refuse", "reason": "Thiếu giấy\n" * 40},
            "reason",
            "Lý do từ chối tối đa 30 dòng (đang có 40).",
        ),
    ],
)
def test_reception_refuses_a_list_too_long_to_print(world, client, changes, field, message):
    before = rows()
    response = signin(client, "lan").post(RECEPTION, reception_post(world, **changes))
    assert response.status_code == 400
    assert beside(response, f"id_{field}") == [message]
    assert rows() == before


def test_a_refusal_with_a_thousand_reasons_is_refused_beside_its_note(world, client):
    d = submitted_online(world)
    before = rows()
    response = signin(client, "lan").post(
        act_url(d), {"action": "refuse", "version": d.version, "note": "Sai\n" * 400}
    )
    assert response.status_code == 400
    assert beside(response, "refuse-note") == ["Lý do từ chối tối đa 30 dòng (đang có 400)."]
    assert rows() == before


def test_the_service_refuses_thousands_of_missing_papers_whoever_calls_it(world, monkeypatch):
    """Not only the desk's form: a list past the bound never reaches form 02's renderer."""
    monkeypatch.setattr(
        "motcua.paperwork.rendering.render_pdf", lambda html: pytest.fail("rendered")
    )
    d = with_duc(world)
    before = rows()
    with pytest.raises(ValidationError) as info:
        dossier_act(
            dossier=d,
            action=Action.REQUEST_SUPPLEMENT,
            actor=world.duc,
            now=at("2026-11-25 09:40"),
            missing=[f"Giấy tờ số {i}" for i in range(5000)],
        )
    assert info.value.message == "Tối đa 30 giấy tờ cần bổ sung (đang có 5000)."
    assert rows() == before
