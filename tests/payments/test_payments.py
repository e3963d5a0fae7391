"""Paying a dossier's fee: online through the sandbox provider (callbacks replayed, forged,
with a wrong amount), at the desk with a receipt number, the receipt, the reconciliation."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse

from motcua.citizens.models import Citizen
from motcua.core import payments as rules
from motcua.core.errors import ConflictError, InvalidInput, PermissionDenied, ValidationError
from motcua.core.lifecycle import Action, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services import dossier_act, dossier_receive
from motcua.notify.models import OutboxMessage
from motcua.notify.services import outbox_deliver
from motcua.payments.models import Payment, PaymentNotice, SandboxCharge
from motcua.payments.providers import sandbox_charge, sandbox_decide, sandbox_secret, signed_fields
from motcua.payments.selectors import reconciliation
from motcua.payments.services import (
    payment_callback,
    payment_record_at_desk,
    payment_start,
    payments_poll,
)
from tests.conftest import at
from tests.dossiers.test_services import intake

PASSWORD = "mat-khau-du-dai-2026"


@pytest.fixture
def w(world):
    """The birth procedure made fee-bearing: 8,000 đ a copy."""
    world.birth.versions.update(fee=8000, fee_rule={"per": "copy"})
    return world


@pytest.fixture
def an(db):
    return Citizen.objects.create(
        email="an@example.vn",
        password=make_password(PASSWORD),
        full_name="Nguyễn Văn An",
        created_at=at("2026-11-01 08:00"),
    )


def lodged(w, citizen=None, copies=2, when="2026-11-25 09:30") -> Dossier:
    return dossier_receive(
        intake=intake(w, w.birth, copies=copies, citizen_id=citizen.pk if citizen else None),
        actor=w.lan,
        now=at(when),
    )


def start(d, an, when="2026-11-25 10:00"):
    return payment_start(
        dossier=d,
        citizen_id=an.pk,
        payer_name="Nguyễn Văn An",
        payer_email="an@example.vn",
        now=at(when),
    )


def decided(checkout, pay=True) -> dict[str, str]:
    """The sandbox's signed callback after the citizen pays (or cancels) there."""
    url = sandbox_decide(sandbox_charge(checkout.payment.reference), pay=pay)
    return dict(parse_qsl(urlsplit(url).query))


def test_online_payment_pays_once_sends_one_receipt_and_ignores_the_replay(w, an):
    d = lodged(w, an)
    checkout = start(d, an)
    assert checkout.payment.amount_due == 16_000
    assert checkout.redirect_url == reverse("payments:sandbox", args=[checkout.payment.reference])
    fields = decided(checkout)

    first = payment_callback(fields=fields, now=at("2026-11-25 10:01"))
    replay = payment_callback(fields=fields, now=at("2026-11-25 10:05"))

    assert (first.outcome, replay.outcome) == (rules.Outcome.PAID, rules.Outcome.REPLAY)
    payment = Payment.objects.get()
    assert (payment.state, payment.amount, payment.receipt_number) == (
        "paid",
        16_000,
        "BL" + payment.reference[2:],
    )
    assert list(PaymentNotice.objects.values_list("outcome", flat=True).order_by("pk")) == [
        "paid",
        "replay",
    ]
    outbox_deliver(now=at("2026-11-25 10:06"))
    receipts = [m for m in mail.outbox if "Biên lai" in m.subject]
    assert len(receipts) == 1
    assert receipts[0].to == ["an@example.vn"]
    assert "16.000 đồng" in receipts[0].body
    assert "10:01 Thứ Tư 25/11/2026" in receipts[0].body  # local time (UTC 03:01)
    assert d.code in receipts[0].subject


def test_a_forged_signature_is_refused_and_recorded(w, an):
    checkout = start(lodged(w, an), an)
    fields = decided(checkout)
    fields["signature"] = "0" * 64

    result = payment_callback(fields=fields, now=at("2026-11-25 10:01"))

    assert result.outcome is rules.Outcome.FORGED
    assert Payment.objects.get().state == "pending"
    assert PaymentNotice.objects.get().outcome == "forged"
    assert not OutboxMessage.objects.filter(template__startswith="payments/").exists()


def test_a_tampered_amount_breaks_the_signature(w, an):
    fields = decided(start(lodged(w, an), an))
    fields["amount"] = "1000"
    assert payment_callback(fields=fields, now=at("2026-11-25 10:01")).outcome.value == "forged"


def test_a_signed_wrong_amount_is_refused_and_recorded(w, an):
    checkout = start(lodged(w, an), an)
    fields = signed_fields(
        reference=checkout.payment.reference,
        amount=1000,
        paid=True,
        transaction="T1",
        secret=sandbox_secret(),
    )

    result = payment_callback(fields=fields, now=at("2026-11-25 10:01"))

    assert result.outcome is rules.Outcome.WRONG_AMOUNT
    assert Payment.objects.get().state == "pending"
    assert PaymentNotice.objects.get().amount == 1000
    found = reconciliation(first=date(2026, 11, 25), last=date(2026, 11, 25))
    assert [n.outcome for n in found.refused] == ["wrong_amount"]


def test_a_second_transaction_for_a_paid_payment_is_a_conflict(w, an):
    checkout = start(lodged(w, an), an)
    payment_callback(fields=decided(checkout), now=at("2026-11-25 10:01"))
    other = signed_fields(
        reference=checkout.payment.reference,
        amount=16_000,
        paid=True,
        transaction="OTHER",
        secret=sandbox_secret(),
    )
    assert payment_callback(fields=other, now=at("2026-11-25 10:02")).outcome.value == "conflict"
    assert Payment.objects.get().transaction != "OTHER"


def test_a_cancelled_checkout_leaves_the_dossier_unpaid_and_can_be_retried(w, an):
    d = lodged(w, an)
    result = payment_callback(fields=decided(start(d, an), pay=False), now=at("2026-11-25 10:01"))
    assert result.outcome is rules.Outcome.CANCELLED
    again = start(d, an, when="2026-11-25 10:10")
    assert payment_callback(fields=decided(again), now=at("2026-11-25 10:11")).outcome.value == (
        "paid"
    )
    assert list(Payment.objects.order_by("pk").values_list("state", flat=True)) == [
        "cancelled",
        "paid",
    ]


def test_a_paid_dossier_cannot_start_a_second_payment(w, an):
    d = lodged(w, an)
    payment_callback(fields=decided(start(d, an)), now=at("2026-11-25 10:01"))
    with pytest.raises(ConflictError):
        start(d, an, when="2026-11-25 10:30")


def test_paying_a_dossier_asked_to_pay_moves_it_on_through_the_write_path(w, an):
    d = lodged(w, an)
    d = dossier_act(
        dossier=d,
        action=Action.FORWARD,
        actor=w.lan,
        now=at("2026-11-25 09:40"),
        to_user_id=w.duc.user_id,
    )
    d = dossier_act(
        dossier=d, action=Action.REQUEST_PAYMENT, actor=w.duc, now=at("2026-11-25 09:50")
    )
    assert d.status == Status.PAYMENT

    payment_callback(fields=decided(start(d, an)), now=at("2026-11-25 10:01"))

    d.refresh_from_db()
    assert d.status == Status.PROCESSING
    assert DossierEvent.objects.filter(dossier=d, action=Action.PAY.value).count() == 1


def test_the_desk_records_a_payment_with_its_receipt_number(w):
    d = lodged(w)
    payment = payment_record_at_desk(
        dossier=d,
        actor=w.lan,
        receipt_number="0001234",
        payer_name="Trần Văn Bình",
        pages=None,
        now=at("2026-11-25 09:35"),
    )
    assert (payment.method, payment.amount, payment.receipt_number) == ("desk", 16_000, "0001234")
    with pytest.raises(ConflictError):  # a double submit
        payment_record_at_desk(
            dossier=d,
            actor=w.lan,
            receipt_number="0001235",
            payer_name="Trần Văn Bình",
            pages=None,
            now=at("2026-11-25 09:36"),
        )
    assert Payment.objects.count() == 1


def test_the_desk_gives_every_problem_at_once_and_stores_nothing(w):
    d = lodged(w)
    with pytest.raises(InvalidInput) as info:
        payment_record_at_desk(
            dossier=d,
            actor=w.lan,
            receipt_number=" ",
            payer_name="",
            pages=None,
            now=at("2026-11-25 09:35"),
        )
    assert {p.details["field"] for p in info.value.problems()} == {"receipt_number", "payer_name"}
    assert not Payment.objects.exists()


def test_only_the_desk_records_and_only_while_the_dossier_may_be_paid(w):
    d = lodged(w)
    with pytest.raises(PermissionDenied):
        payment_record_at_desk(
            dossier=d,
            actor=w.duc,
            receipt_number="1",
            payer_name="B",
            pages=None,
            now=at("2026-11-25 09:35"),
        )
    d = dossier_act(
        dossier=d,
        action=Action.WITHDRAW,
        actor=w.lan,
        now=at("2026-11-25 09:40"),
        note="Công dân xin rút",
    )
    with pytest.raises(ConflictError):
        payment_record_at_desk(
            dossier=d,
            actor=w.lan,
            receipt_number="1",
            payer_name="B",
            pages=None,
            now=at("2026-11-25 09:45"),
        )
    assert not Payment.objects.exists()


def test_the_reconciliation_lists_days_and_mismatches(w, an):
    d = lodged(w, an)
    payment_callback(fields=decided(start(d, an)), now=at("2026-11-25 10:01"))
    other = lodged(w, copies=1, when="2026-11-26 09:00")
    payment_record_at_desk(
        dossier=other,
        actor=w.lan,
        receipt_number="77",
        payer_name="Bình",
        pages=None,
        now=at("2026-11-26 09:05"),
    )
    # The catalog's rule changes afterwards: the stored payment no longer matches.
    w.birth.versions.update(fee=9000)

    found = reconciliation(first=date(2026, 11, 25), last=date(2026, 11, 26))

    assert [(t.day, t.due, t.paid) for t in found.days] == [
        (date(2026, 11, 25), 18_000, 16_000),
        (date(2026, 11, 26), 9000, 8000),
    ]
    assert {(f.code, f.kind) for f in found.findings} == {
        (d.code, rules.Mismatch.UNDERPAID),
        (other.code, rules.Mismatch.UNDERPAID),
    }


def test_the_receipt_page_needs_its_key(client, w, an):
    checkout = start(lodged(w, an), an)
    payment_callback(fields=decided(checkout), now=at("2026-11-25 10:01"))
    payment = Payment.objects.get()

    page = client.get(reverse("payments:receipt", args=[payment.reference, payment.receipt_key]))
    wrong = client.get(reverse("payments:receipt", args=[payment.reference, "x" * 22]))

    assert page.status_code == 200
    text = page.content.decode()
    assert payment.receipt_number in text and "16.000 đồng" in text and "10:01 25/11/2026" in text
    assert 'lang="vi"' in text
    assert wrong.status_code == 404


def sign_in(client, email="an@example.vn"):
    response = client.post(reverse("citizens:signin"), {"identifier": email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_citizen_pays_through_the_sandbox_pages(client, w, an):
    d = lodged(w, an)
    sign_in(client)
    page = client.get(reverse("payments:pay", args=[d.pk]))
    assert page.status_code == 200 and "16.000 đồng" in page.content.decode()

    to_provider = client.post(reverse("payments:pay", args=[d.pk]))
    checkout_page = client.get(to_provider["Location"])
    assert checkout_page.status_code == 200
    reference = Payment.objects.get().reference
    back = client.post(reverse("payments:sandbox_decide", args=[reference]), {"decision": "pay"})
    result = client.get(back["Location"])

    assert result.status_code == 200
    assert "Đã thanh toán xong" in result.content.decode()
    assert Payment.objects.get().state == "paid"


def test_another_citizens_dossier_is_not_found(client, w, an):
    d = lodged(w, an)
    Citizen.objects.create(
        email="binh@example.vn", password=make_password(PASSWORD), created_at=at("2026-11-01 08:00")
    )
    sign_in(client, "binh@example.vn")
    assert client.get(reverse("payments:pay", args=[d.pk])).status_code == 404
    assert client.post(reverse("payments:pay", args=[d.pk])).status_code == 404
    assert not Payment.objects.exists()


def test_a_forged_callback_page_answers_400(client, w, an):
    fields = decided(start(lodged(w, an), an))
    fields["signature"] = "f" * 64
    response = client.get(reverse("payments:callback"), fields)
    assert response.status_code == 400
    assert "chưa ghi nhận" in response.content.decode()


def test_the_desk_page_records_the_fee(client, w):
    d = lodged(w)
    client.force_login(get_user_model().objects.get(username="lan"))
    page = client.get(reverse("desk:dossier", args=[d.pk]))
    assert "Ghi nhận đã nộp phí" in page.content.decode()

    bad = client.post(reverse("desk:pay", args=[d.pk]), {"receipt_number": "", "payer_name": ""})
    assert bad.status_code == 400
    assert bad.content.decode().count("Không được để trống") >= 2
    done = client.post(
        reverse("desk:pay", args=[d.pk]), {"receipt_number": "BL-9", "payer_name": "Bình"}
    )
    assert done.status_code == 302
    again = client.post(
        reverse("desk:pay", args=[d.pk]), {"receipt_number": "BL-10", "payer_name": "Bình"}
    )
    assert again.status_code == 409
    assert Payment.objects.get().receipt_number == "BL-9"
    assert "biên lai số BL-9" in client.get(reverse("desk:dossier", args=[d.pk])).content.decode()


def test_staff_of_another_commune_cannot_record(client, w):
    d = lodged(w)
    client.force_login(get_user_model().objects.get(username="mai"))
    response = client.post(
        reverse("desk:pay", args=[d.pk]), {"receipt_number": "1", "payer_name": "B"}
    )
    assert response.status_code == 404
    assert not Payment.objects.exists()


def test_the_command_prints_days_and_mismatches(w, an):
    from io import StringIO

    from django.core.management import call_command

    checkout = start(lodged(w, an), an)
    payment_callback(fields=decided(checkout), now=at("2026-11-25 10:01"))
    wrong = signed_fields(
        reference=checkout.payment.reference,
        amount=5,
        paid=True,
        transaction="X",
        secret=sandbox_secret(),
    )
    payment_callback(fields=wrong, now=at("2026-11-25 10:02"))
    out = StringIO()
    call_command("payments", "reconcile", "--from", "2026-11-25", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "25/11/2026: 1 khoản, phải thu 16.000 đ, đã thu 16.000 đ — khớp"
    assert lines[-1] == "Lệch: 1"


def test_a_second_checkout_paid_after_the_first_is_refused_for_a_refund(w, an):
    d = lodged(w, an)
    first, second = start(d, an), start(d, an, when="2026-11-25 10:02")
    payment_callback(fields=decided(first), now=at("2026-11-25 10:03"))

    late = payment_callback(fields=decided(second), now=at("2026-11-25 10:04"))

    assert late.outcome is rules.Outcome.CONFLICT
    assert Payment.objects.filter(state="paid").count() == 1
    found = reconciliation(first=date(2026, 11, 25), last=date(2026, 11, 25))
    assert [n.outcome for n in found.refused] == ["conflict"]


def test_the_receipt_comes_as_a_pdf_too(client, w, an):
    payment_callback(fields=decided(start(lodged(w, an), an)), now=at("2026-11-25 10:01"))
    payment = Payment.objects.get()
    url = reverse("payments:receipt", args=[payment.reference, payment.receipt_key])
    response = client.get(url, {"pdf": "1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_a_dossier_without_a_fee_or_a_code_cannot_be_paid_online(w, an):
    w.birth.versions.update(fee=0, fee_rule={})
    with pytest.raises(ValidationError, match="không phải nộp phí"):
        start(lodged(w, an), an)
    assert not Payment.objects.exists()


def test_the_sandbox_pages_are_off_with_another_provider(client, w, an, settings):
    checkout = start(lodged(w, an), an)
    settings.PAYMENT_PROVIDER = "tests.payments.test_payments.OtherProvider"
    assert client.get(checkout.redirect_url).status_code == 404
    settings.PAYMENT_PROVIDER = ""
    assert client.get(reverse("payments:callback"), {"reference": "x"}).status_code == 400


class OtherProvider:
    name = "other"


# --- A callback that never came: the worker asks the provider --------------------------------


def test_a_payment_whose_callback_never_came_is_settled_once_by_asking_the_provider(w, an):
    d = lodged(w, an)
    checkout = start(d, an)  # 10:00
    fields = decided(checkout)  # paid at the sandbox; the citizen never came back
    # Within the wait the citizen may still come back: the provider is not asked.
    assert payments_poll(now=at("2026-11-25 10:14")).asked == 0
    report = payments_poll(now=at("2026-11-25 10:15"))
    assert (report.asked, report.paid) == (1, 1)
    payment = Payment.objects.get()
    assert (payment.state, payment.amount, payment.paid_at) == (
        "paid",
        16_000,
        at("2026-11-25 10:15"),
    )
    assert payment.transaction == SandboxCharge.objects.get().transaction
    notice = PaymentNotice.objects.get()
    assert (notice.outcome, notice.fields["source"]) == ("paid", "status")
    # Never twice: the next pass has nothing to ask, the late callback is a replay.
    assert payments_poll(now=at("2026-11-25 10:30")).asked == 0
    assert payment_callback(fields=fields, now=at("2026-11-25 10:31")).outcome.value == "replay"
    outbox_deliver(now=at("2026-11-25 10:32"))
    assert len([m for m in mail.outbox if "Biên lai" in m.subject]) == 1


def test_a_cancelled_or_undecided_checkout_is_settled_as_the_provider_says(w, an):
    cancelled = start(lodged(w, an), an)
    decided(cancelled, pay=False)
    undecided = start(lodged(w, an, when="2026-11-25 09:40"), an)
    report = payments_poll(now=at("2026-11-25 11:00"))
    assert (report.asked, report.paid, report.cancelled) == (2, 0, 1)
    states = dict(Payment.objects.values_list("reference", "state"))
    assert states == {
        cancelled.payment.reference: "cancelled",
        undecided.payment.reference: "pending",
    }
    # Still pending at the provider: nothing recorded, asked again later.
    assert PaymentNotice.objects.count() == 1
    assert payments_poll(now=at("2026-11-25 11:30")).asked == 1


def test_a_wrong_amount_from_the_provider_is_refused_recorded_and_not_asked_again(w, an):
    checkout = start(lodged(w, an), an)
    decided(checkout)
    SandboxCharge.objects.update(amount=1000)  # the provider charged something else
    report = payments_poll(now=at("2026-11-25 11:00"))
    assert (report.asked, report.paid, report.refused) == (1, 0, 1)
    assert Payment.objects.get().state == "pending"
    assert PaymentNotice.objects.get().outcome == "wrong_amount"
    assert payments_poll(now=at("2026-11-25 11:30")).asked == 0
    assert not OutboxMessage.objects.filter(template__startswith="payments/").exists()


def test_the_worker_pass_asks_the_provider(w, an):
    from io import StringIO

    from django.core.management import call_command

    decided(start(lodged(w, an), an))
    out = StringIO()
    call_command("worker", "--once", "--now", "2026-11-25T11:00", stdout=out)
    assert "thanh toán hỏi lại=1 đã thu=1" in out.getvalue()
    assert Payment.objects.get().state == "paid"
