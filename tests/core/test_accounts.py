"""The rules of citizens' accounts: addresses, one-time codes, a provider's claims."""

from __future__ import annotations

from datetime import timedelta

import pytest

from motcua.core.accounts import (
    CodePolicy,
    CodeRefused,
    CodeState,
    ResendTooSoon,
    check_code_usable,
    check_resend,
    identity_from_claims,
    normal_code,
    parse_contact,
)
from motcua.core.errors import ValidationError
from tests.conftest import at

NOW = at("2026-11-25 09:00")
POLICY = CodePolicy()


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("0912 345 678", "phone", "0912345678"),
        ("+84 912-345-678", "phone", "0912345678"),
        ("84 38 123 4567", "phone", "0381234567"),
        ("Lan.Nguyen@Example.VN", "email", "lan.nguyen@example.vn"),
    ],
)
def test_contact_in_normal_form(typed, kind, value):
    contact = parse_contact(typed)
    assert (contact.kind, contact.value) == (kind, value)


@pytest.mark.parametrize(
    "typed", ["0241 234 5678", "0112345678", "091234567", "lan@", "lan@@x.vn", "abc", ""]
)
def test_malformed_contact_refused(typed):
    with pytest.raises(ValidationError) as caught:
        parse_contact(typed)
    assert caught.value.details["field"] == "identifier"


@pytest.mark.parametrize(
    ("state", "reason"),
    [
        (CodeState(NOW + timedelta(minutes=1), 0, True), "used"),
        (CodeState(NOW, 0, False), "expired"),
        (CodeState(NOW + timedelta(minutes=1), 5, False), "tries"),
    ],
)
def test_unusable_codes(state, reason):
    with pytest.raises(CodeRefused) as caught:
        check_code_usable(state, POLICY, NOW)
    assert caught.value.details["reason"] == reason


def test_usable_code_passes():
    check_code_usable(CodeState(NOW + timedelta(seconds=1), 4, False), POLICY, NOW)


@pytest.mark.parametrize(
    ("ago", "refused"),
    [
        ([], False),
        ([30], True),  # a minute has not passed
        ([61], False),
        ([61, 600, 1200, 1800, 2400], True),  # five within the hour
        ([61, 600, 1200, 1800, 3601], False),  # the fifth is older than the hour
    ],
)
def test_resend_throttle(ago, refused):
    sent = [NOW - timedelta(seconds=s) for s in ago]
    if refused:
        with pytest.raises(ResendTooSoon):
            check_resend(sent, POLICY, NOW)
    else:
        check_resend(sent, POLICY, NOW)


@pytest.mark.parametrize(("typed", "digits"), [("123 456", "123456"), ("１２３-４５６", "123456")])
def test_code_as_typed(typed, digits):
    assert normal_code(typed) == digits


def test_claims_keep_only_verified_and_well_formed():
    identity = identity_from_claims(
        {
            "sub": "abc",
            "name": "Nguyễn  Thị Lan",
            "id_number": "001203012345",
            "email": "LAN@example.vn",
            "email_verified": True,
            "phone_number": "+84912345678",
            "phone_number_verified": False,
            "address": {"formatted": "12 Hàng Bạc"},
        }
    )
    assert identity.full_name == "Nguyễn Thị Lan"
    assert identity.id_number == "001203012345"
    assert identity.email == "lan@example.vn"
    assert identity.phone == ""  # not verified by the provider
    assert identity.address == "12 Hàng Bạc"


def test_claims_drop_malformed_id_and_map_names():
    identity = identity_from_claims(
        {
            "uid": "x",
            "citizen_id": "999999999999",
            "phone_number": "0912345678",
            "phone_number_verified": True,
        },
        {"subject": "uid", "id_number": "citizen_id"},
    )
    assert identity.subject == "x"
    assert identity.id_number == ""  # 999 is no province
    assert identity.phone == "0912345678"


def test_claims_without_subject_refused():
    with pytest.raises(ValidationError):
        identity_from_claims({"name": "A"})


@pytest.mark.parametrize(
    ("has_password", "password_ok", "confirmed", "fields"),
    [
        (True, True, True, []),
        (True, False, True, ["password"]),
        (True, True, False, ["confirm"]),
        (True, False, False, ["confirm", "password"]),
        (False, False, True, []),  # made by an identity provider: no password to give
        (False, False, False, ["confirm"]),
    ],
)
def test_closing_an_account_needs_the_confirmation_and_the_password(
    has_password, password_ok, confirmed, fields
):
    from motcua.core.accounts import check_closing
    from motcua.core.errors import InvalidInput

    if not fields:
        check_closing(has_password=has_password, password_ok=password_ok, confirmed=confirmed)
        return
    with pytest.raises(InvalidInput) as info:
        check_closing(has_password=has_password, password_ok=password_ok, confirmed=confirmed)
    assert [p.details["field"] for p in info.value.problems()] == fields
