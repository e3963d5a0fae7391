"""The twelve tamperings of issue 8, each played with the application's own database login
(the ORM's connection, plain UPDATE/DELETE/INSERT), and shown detected by `audit verify` or,
where only an anchor taken before can see it, by `audit verify --anchor`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import connection

from motcua.core.lifecycle import Action, Status
from motcua.dossiers import audit
from motcua.dossiers.events import GENESIS, event_body, event_hash
from motcua.dossiers.models import (
    DailySequence,
    Dossier,
    DossierAccess,
    DossierDocument,
    DossierEvent,
    DossierResult,
    DossierStep,
)
from motcua.dossiers.services import (
    Handover,
    Papers,
    dossier_act,
    dossier_receive,
    dossier_view_personal_data,
)
from tests.conftest import at
from tests.dossiers.test_services import forward, intake
from tests.scanfiles import PDF, upload


@dataclass
class History:
    done: Dossier  # same-day birth registration, returned (7 events, 3 hand-overs)
    chain: Dossier  # three agencies, a supplement asked and brought (5 events)
    fresh: Dossier  # received only, the day's last code of its counter
    anchor: dict


def act(d, action, actor, when, **kw):
    return dossier_act(dossier=d, action=action, actor=actor, now=at(when), **kw)


@pytest.fixture
def history(world) -> History:
    w = world
    done = dossier_receive(intake=intake(w, w.birth), actor=w.lan, now=at("2026-11-25 08:30"))
    done = forward(done, w.lan, "2026-11-25 08:45")
    done = act(done, Action.PROPOSE, w.duc, "2026-11-25 10:00")
    done = forward(done, w.duc, "2026-11-25 10:05")
    done = act(done, Action.APPROVE, w.long, "2026-11-25 11:00")
    done = act(done, Action.MARK_READY, w.long, "2026-11-25 11:05", result=upload(PDF, "kq.pdf"))
    handover = Handover("post", "12/QĐ-UBND", tracking="EB123456789VN", confirmed=True)
    done = act(done, Action.RETURN_RESULT, w.lan, "2026-11-25 14:00", handover=handover)
    chain = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-25 09:00"))
    chain = forward(chain, w.lan, "2026-11-25 09:30")
    chain = act(chain, Action.REQUEST_SUPPLEMENT, w.duc, "2026-11-25 10:00", missing=["Giấy"])
    chain = act(chain, Action.SUPPLEMENT, w.lan, "2026-11-26 10:00", papers=Papers(others=["Giấy"]))
    chain = forward(chain, w.duc, "2026-11-26 15:00")
    fresh = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-26 08:00"))
    for d in (done, chain, fresh):
        dossier_view_personal_data(
            dossier=d, actor=w.son, now=at("2026-11-26 16:00"), address="10.0.0.7"
        )
    assert audit.verify().problems == []
    anchor = audit.make_anchor(at("2026-11-26 17:00"))
    assert audit.signature_problems(anchor) == []
    assert audit.verify(anchor).problems == []
    return History(done=done, chain=chain, fresh=fresh, anchor=anchor)


def rehash(dossier_id: int, *, key: str, renumber: bool = False) -> None:
    """Re-hash a dossier's chain end to end (renumbering it first if asked), head included."""
    prev = GENESIS
    for seq, event in enumerate(DossierEvent.objects.filter(dossier_id=dossier_id), start=1):
        if renumber:
            event.seq = seq
        event.prev_hash = prev
        event.hash = event_hash(prev, event_body(event), key=key)
        DossierEvent.objects.filter(pk=event.pk).update(
            seq=event.seq, prev_hash=event.prev_hash, hash=event.hash
        )
        prev = event.hash
    Dossier.objects.filter(pk=dossier_id).update(
        chain_head=prev, version=DossierEvent.objects.filter(dossier_id=dossier_id).count()
    )


def roll_back_projection(dossier_id: int) -> None:
    """A careful forger: make the row and its hand-overs what the remaining events rebuild."""
    chain = list(
        DossierEvent.objects.filter(dossier_id=dossier_id)
        .order_by("seq")
        .values(*audit._EVENT_COLUMNS)
    )
    state = audit.rebuild(chain)
    d = Dossier.objects.get(pk=dossier_id)
    for name, value in state.fields.items():
        field = Dossier._meta.get_field(name.removesuffix("_id"))
        setattr(d, field.attname, field.to_python(value) if value is not None else None)
    d.status, d.version, d.chain_head = state.status, state.version, state.chain_head
    d.save()
    ended = {s[7] for s in state.steps}
    for step in DossierStep.objects.filter(dossier_id=dossier_id):
        if step.ended_at.astimezone(audit.UTC).isoformat() not in ended:
            step.delete()


def delete_whole(d: Dossier) -> None:
    DossierEvent.objects.filter(dossier=d).delete()
    Dossier.objects.filter(pk=d.pk).delete()  # its steps, papers and reads go with it


GUESSED_KEY = "the attacker has only the database login"


def edit_payload(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.chain, seq=3).update(payload={"missing": ["Khác"]})


def edit_payload_into_another_shape(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.chain, seq=2).update(payload=["not", "an", "object"])
    event = DossierEvent.objects.get(dossier=h.chain, seq=3)
    DossierEvent.objects.filter(pk=event.pk).update(payload={**event.payload, "set": "x"})


def edit_and_rehash(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.chain, seq=3).update(payload={"missing": ["Khác"]})
    rehash(h.chain.pk, key=GUESSED_KEY)


def edit_and_rehash_with_leaked_key(h: History) -> None:
    event = DossierEvent.objects.get(dossier=h.chain, seq=3)
    DossierEvent.objects.filter(pk=event.pk).update(payload={**event.payload, "missing": ["X"]})
    rehash(h.chain.pk, key=settings.AUDIT_KEY)


def cut_tail(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.done, seq__gte=6).delete()
    head = DossierEvent.objects.get(dossier=h.done, seq=5).hash
    Dossier.objects.filter(pk=h.done.pk).update(chain_head=head)


def cut_tail_and_roll_back_everything(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.done, seq__gte=6).delete()
    roll_back_projection(h.done.pk)


def delete_middle_renumber_rehash(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.done, seq=3).delete()
    rehash(h.done.pk, key=GUESSED_KEY, renumber=True)


def delete_middle_renumber_rehash_with_leaked_key(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.done, seq=3).delete()
    rehash(h.done.pk, key=settings.AUDIT_KEY, renumber=True)
    roll_back_projection(h.done.pk)


def delete_dossier(h: History) -> None:
    delete_whole(h.chain)


def delete_dossier_and_its_number(h: History) -> None:
    delete_whole(h.fresh)  # the day's last number: the counter can be moved back unseen
    DailySequence.objects.filter(agency_code="H26.100", day="2026-11-26").update(last=0)


def delete_all_events(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.chain).delete()


def change_status(h: History) -> None:
    Dossier.objects.filter(pk=h.chain.pk).update(status=Status.DONE)


def change_due_date(h: History) -> None:
    Dossier.objects.filter(pk=h.chain.pk).update(due_at=at("2027-01-30 17:00"))


def rewrite_actor(h: History) -> None:
    DossierEvent.objects.filter(dossier=h.done, seq=5).update(actor=h.done.current_holder_id)


def edit_hand_over(h: History) -> None:
    step = DossierStep.objects.filter(dossier=h.done).order_by("id")[1]
    DossierStep.objects.filter(pk=step.pk).update(outcome="early", ended_at=step.started_at)


def delete_hand_over(h: History) -> None:
    DossierStep.objects.filter(dossier=h.done).order_by("id")[0].delete()


def add_paper(h: History) -> None:
    """A paper the citizen never brought, slipped into the dossier afterwards."""
    paper = DossierDocument.objects.filter(dossier=h.chain).order_by("id").first()
    DossierDocument.objects.create(
        dossier=h.chain,
        name="Giấy xác nhận cư trú",
        received_at=paper.received_at,
        event_seq=paper.event_seq,
    )


def delete_paper(h: History) -> None:
    DossierDocument.objects.filter(dossier=h.chain, event_seq__gt=1).delete()


def delete_reads(h: History) -> None:
    DossierAccess.objects.filter(dossier=h.chain).delete()


def edit_read(h: History) -> None:
    DossierAccess.objects.filter(dossier=h.chain).update(address="192.0.2.1")


def forge_event(h: History, key: str = GUESSED_KEY) -> None:
    d = Dossier.objects.get(pk=h.fresh.pk)
    event = copy.copy(d.events.get())
    event.pk, event.seq, event.action, event.prev_hash = None, 2, "refuse", d.chain_head
    event.from_status, event.to_status = event.to_status, int(Status.REFUSED)
    event.hash = event_hash(event.prev_hash, event_body(event), key=key)
    event.save()
    Dossier.objects.filter(pk=d.pk).update(status=event.to_status, version=2, chain_head=event.hash)


def forge_event_before_the_anchor_with_leaked_key(h: History) -> None:
    """Rewrite an anchored chain into another story, re-hashed with the real key."""
    DossierEvent.objects.filter(dossier=h.fresh).update(to_status=int(Status.REFUSED))
    rehash(h.fresh.pk, key=settings.AUDIT_KEY)
    roll_back_projection(h.fresh.pk)


# (tampering, caught without an anchor?, words of the problem reported)
TAMPERINGS: list[tuple[Callable[[History], None], bool, str]] = [
    (edit_payload, True, "nội dung sự kiện đã bị thay đổi"),
    (edit_payload_into_another_shape, True, "không đúng dạng, không dựng lại được"),
    (edit_and_rehash, True, "nội dung sự kiện đã bị thay đổi"),
    (edit_and_rehash_with_leaked_key, False, "bị thay thế (chuỗi bị băm lại)"),
    (cut_tail, True, "version là 7 nhưng các sự kiện cho 5"),
    (cut_tail_and_roll_back_everything, False, "sự kiện số 7 đã neo không còn"),
    (delete_middle_renumber_rehash, True, "nội dung sự kiện đã bị thay đổi"),
    (delete_middle_renumber_rehash_with_leaked_key, False, "đã neo không còn"),
    (delete_dossier, True, "mã đã cấp nhưng không còn hồ sơ"),
    (delete_dossier_and_its_number, False, "hồ sơ đã neo (1 sự kiện) bị xóa"),
    (delete_all_events, True, "hồ sơ không còn sự kiện nào"),
    (change_status, True, "status là 9 nhưng các sự kiện cho 4"),
    (change_due_date, True, "due_at là '2027-01-30T10:00:00+00:00'"),
    (rewrite_actor, True, "nội dung sự kiện đã bị thay đổi"),
    (edit_hand_over, True, "bước bàn giao 1 (Thẩm định) bị xóa hoặc sửa"),
    (delete_hand_over, True, "bước bàn giao 0 (Tiếp nhận) bị xóa hoặc sửa"),
    (add_paper, True, "giấy tờ “Giấy xác nhận cư trú” (sự kiện số 1) không khớp sự kiện nào"),
    (delete_paper, True, "giấy tờ “Giấy” (sự kiện số 4) bị xóa hoặc sửa"),
    (delete_reads, False, "nhật ký truy cập: còn 2 dòng, khi neo có 3"),
    (edit_read, False, "nhật ký truy cập: các dòng đã neo bị sửa"),
    (forge_event, True, "nội dung sự kiện đã bị thay đổi"),
    (forge_event_before_the_anchor_with_leaked_key, False, "bị thay thế (chuỗi bị băm lại)"),
]


@pytest.mark.parametrize(
    ("tamper", "without_anchor", "words"), TAMPERINGS, ids=[t[0].__name__ for t in TAMPERINGS]
)
def test_each_tampering_is_detected(history, tamper, without_anchor, words):
    tamper(history)
    plain = [str(p) for p in audit.verify().problems]
    anchored = [str(p) for p in audit.verify(history.anchor).problems]
    # The anchor sees everything verify sees, and more.
    assert set(plain) <= set(anchored)
    assert any(words in line for line in anchored), anchored
    if without_anchor:
        assert any(words in line for line in plain), plain
    else:
        assert not any(words in line for line in plain), plain


def test_what_the_anchor_alone_catches_leaves_verify_clean(history):
    """The careful forgeries are invisible to the chain: that is what the anchor is for."""
    cut_tail_and_roll_back_everything(history)
    assert audit.verify().problems == []
    assert audit.verify(history.anchor).problems != []


def test_events_after_the_anchor_are_checked_as_they_chain(world, history):
    d = forward(Dossier.objects.get(pk=history.fresh.pk), world.lan, "2026-11-26 18:00")
    assert audit.verify(history.anchor).problems == []
    event = DossierEvent.objects.get(dossier=d, seq=2)
    DossierEvent.objects.filter(pk=event.pk).update(payload={**event.payload, "extra": 1})
    assert [str(p) for p in audit.verify(history.anchor).problems] == [
        f"{d.code} sự kiện 2: nội dung sự kiện đã bị thay đổi"
    ]


@pytest.mark.parametrize(
    "forge",
    [
        lambda a: a.update(events=a["events"] + 1),
        lambda a: a["chains"].pop(),
        lambda a: a["reads"].update(count=0),
        lambda a: a["signatures"].update(hmac_sha256="0" * 64),
    ],
    ids=["count", "chain dropped", "reads", "signature"],
)
def test_an_edited_anchor_is_refused(history, forge):
    anchor = copy.deepcopy(history.anchor)
    forge(anchor)
    assert [str(p) for p in audit.signature_problems(anchor)] == [
        "mốc neo: mã HMAC không hợp lệ: mốc neo đã bị sửa hoặc giả"
    ]


def test_an_anchor_signed_with_ed25519_checks_with_the_public_key_only(history, settings, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    key_file = tmp_path / "anchor.pem"
    key_file.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    public_file = tmp_path / "anchor.pub"
    public_file.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings.AUDIT_SIGNING_KEY_FILE = str(key_file)
    anchor = audit.make_anchor(at("2026-11-26 17:30"))
    settings.AUDIT_SIGNING_KEY_FILE = ""
    # An auditor with the public key only (no audit key): the signature proves the anchor.
    settings.AUDIT_KEY = "an auditor does not hold the audit key"
    assert audit.signature_problems(anchor, str(public_file)) == []
    anchor["chains"][0][3] = "f" * 64
    assert audit.signature_problems(anchor, str(public_file)) != []
    other = Ed25519PrivateKey.generate().public_key()
    public_file.write_bytes(
        other.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    del anchor  # a genuine anchor does not check against someone else's key either
    genuine = audit.make_anchor(at("2026-11-26 17:30"))
    assert audit.signature_problems(genuine, str(public_file)) != []


@pytest.mark.parametrize(
    ("model", "what"),
    [
        (DossierEvent, "sự kiện"),
        (DossierStep, "bước xử lý"),
        (DossierDocument, "giấy tờ"),
        (DossierResult, "bản điện tử của kết quả"),
    ],
)
def test_a_row_left_without_its_dossier_is_found(history, model, what):
    # The database does not check these rows' dossier (models.py): it takes the orphan, even
    # with its constraints checked now rather than at commit, and verify must report it.
    moved = model.objects.filter(dossier=history.done).update(dossier_id=999999)
    assert moved >= 1
    connection.check_constraints()
    lines = [str(p) for p in audit.verify().problems]
    assert f"#999999: có {what} nhưng hồ sơ đã bị xóa" in lines
    assert not [line for line in lines if "danh mục" in line]  # not taken for a catalog entry


# ---------------------------------------------------------------------------------------------
# The rebuild itself: every kind of action leaves a projection its events rebuild exactly


def journey_apology(w):
    d = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-25 08:30"))
    d = forward(d, w.lan, "2026-11-25 09:00")
    d = forward(d, w.duc, "2026-11-25 15:00")
    d = act(d, Action.DRAFT_APOLOGY, w.tam, "2026-11-26 09:00", note="Chờ xác minh.")
    return act(d, Action.APPROVE_APOLOGY, w.kien, "2026-11-26 10:00")


def journey_assign_and_send_back(w):
    d = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-25 08:30"))
    d = forward(d, w.lan, "2026-11-25 09:00")
    d = act(d, Action.ASSIGN, w.son, "2026-11-25 09:10", to_user_id=w.duc.user_id)
    return act(d, Action.SEND_BACK, w.duc, "2026-11-25 10:00", note="Thiếu chữ ký.")


def journey_stop_while_paused(w):
    d = dossier_receive(intake=intake(w, w.record), actor=w.ha, now=at("2026-11-25 08:30"))
    d = forward(d, w.ha, "2026-11-25 08:45")
    d = act(d, Action.REQUEST_SUPPLEMENT, w.minh, "2026-11-25 09:00", missing=["Bản sao"])
    return act(d, Action.STOP, w.ha, "2026-12-30 09:00", note="Dừng")


def journey_withdraw(w):
    d = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-25 08:30"))
    return act(d, Action.WITHDRAW, w.lan, "2026-11-25 09:00", note="Công dân rút.")


def journey_refused_at_the_desk(w):
    return dossier_receive(
        intake=intake(w),
        actor=w.lan,
        now=at("2026-11-25 08:30"),
        outcome=Action.REFUSE,
        reason="Không thuộc thẩm quyền.",
    )


def journey_online_supplement_then_receive(w):
    d = dossier_receive(
        intake=intake(w, channel=2), actor=w.lan, now=at("2026-11-25 09:00"), outcome=Action.SUBMIT
    )
    d = act(d, Action.REQUEST_SUPPLEMENT, w.lan, "2026-11-25 10:00", missing=["Giấy chứng sinh"])
    d = act(
        d, Action.SUPPLEMENT, w.lan, "2026-11-26 14:00", papers=Papers(others=["Giấy chứng sinh"])
    )
    return act(d, Action.RECEIVE, w.lan, "2026-11-27 09:00")


def journey_warned_and_overdue_by_the_worker(w):
    from motcua.dossiers.deadlines import process_deadlines

    d = dossier_receive(intake=intake(w), actor=w.lan, now=at("2026-11-25 08:30"))
    process_deadlines(now=at("2026-11-27 16:00"))
    process_deadlines(now=at("2026-12-01 09:00"))
    d.refresh_from_db()
    assert d.warned_at is not None and d.overdue_at is not None
    return d


JOURNEYS = [
    journey_apology,
    journey_assign_and_send_back,
    journey_stop_while_paused,
    journey_withdraw,
    journey_refused_at_the_desk,
    journey_online_supplement_then_receive,
    journey_warned_and_overdue_by_the_worker,
]


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.__name__ for j in JOURNEYS])
def test_every_journey_leaves_a_projection_its_events_rebuild(world, journey):
    d = journey(world)
    assert [str(p) for p in audit.verify().problems] == []
    # And the check has teeth on this very dossier: any audited column moved is seen.
    Dossier.objects.filter(pk=d.pk).update(step_index=d.step_index + 1)
    assert any("step_index" in str(p) for p in audit.verify().problems)


def ev(seq, to=2, **payload):
    return {
        "seq": seq,
        "to_status": to,
        "hash": f"h{seq}",
        "at": at("2026-11-25 10:00"),
        "payload": payload,
    }


STEP = {
    "index": 0,
    "name": "Tiếp nhận",
    "agency": 1,
    "unit": 2,
    "holder": 3,
    "outcome": "early",
    "started_at": "a",
    "due_at": "b",
    "paused_seconds": 0,
}
ENDED = at("2026-11-25 10:00").astimezone(audit.UTC).isoformat()
# (events, what the rebuild must give: status, version, head, fields, steps, unreadable)
REBUILDS = [
    ([], (None, 0, GENESIS, {}, [], [])),
    ([ev(1, to=2), ev(2, to=4)], (4, 2, "h2", {}, [], [])),
    (
        [ev(1, set={"code": "X", "due_at": "a"}), ev(2, set={"due_at": "b"})],
        (2, 2, "h2", {"code": "X", "due_at": "b"}, [], []),
    ),
    (
        [ev(1, step=STEP, note="Trả lại")],
        (2, 1, "h1", {}, [(0, "Tiếp nhận", 1, 2, 3, "a", "b", ENDED, 0, "early", "Trả lại")], []),
    ),
    ([ev(1, missing=["Giấy"], reason="x", clock={"kind": "pause"})], (2, 1, "h1", {}, [], [])),
    ([ev(1, set="not an object"), ev(2, step=[1])], (2, 2, "h2", {}, [], [1, 2])),
]


@pytest.mark.parametrize(("events", "want"), REBUILDS)
def test_the_rebuild_folds_each_payload_key(events, want):
    state = audit.rebuild(events)
    got = (
        state.status,
        state.version,
        state.chain_head,
        state.fields,
        state.steps,
        state.unreadable,
    )
    assert got == want


def test_a_payload_that_is_not_an_object_is_unreadable():
    state = audit.rebuild([{**ev(1), "payload": ["x"]}])
    assert state.unreadable == [1]


def test_a_unit_deleted_under_the_record_is_found(history):
    """The write path's references to agencies, units and people carry no database
    constraint (models.py): SQL that deletes what the record names is caught by verify."""
    unit = DossierStep.objects.filter(dossier=history.done).exclude(unit=None).first().unit_id
    assert audit.verify().problems == []
    with connection.cursor() as cur, connection.constraint_checks_disabled():
        cur.execute("DELETE FROM organization_staff WHERE unit_id = %s", [unit])
        cur.execute("DELETE FROM organization_unit WHERE id = %s", [unit])
    lines = [str(p) for p in audit.verify().problems]
    assert f"đơn vị #{unit}: hồ sơ còn ghi nhưng đã bị xóa khỏi danh mục" in lines
