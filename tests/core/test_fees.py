"""The amount due for a dossier, from its procedure version's fee rule (core.fees)."""

from __future__ import annotations

import pytest

from motcua.core.errors import InvalidInput
from motcua.core.fees import (
    Asks,
    Channel,
    FeeRule,
    Per,
    Quantity,
    Tier,
    asks,
    check_rule,
    fee_due,
    rule_from_data,
    rule_to_data,
    rule_words,
)

# 2.000815 chứng thực: 2,000 đ/page, from page 3 1,000 đ/page, at most 200,000 đ a copy.
CERTIFY = FeeRule(amount=2000, per=Per.PAGE, tiers=(Tier(3, 1000),), max_per_copy=200_000)
# 1.004222 thường trú: 20,000 đ in person, 10,000 đ online.
RESIDENCE = FeeRule(amount=20_000, online_amount=10_000)
# 2.000635 trích lục: 8,000 đ a copy.
EXTRACT = FeeRule(amount=8000, per=Per.COPY)
ONLINE = Channel.ONLINE


@pytest.mark.parametrize(
    ("rule", "quantity", "amount"),
    [
        (FeeRule(), Quantity(), 0),
        (FeeRule(amount=200_000), Quantity(copies=3), 200_000),  # per dossier: copies ignored
        (RESIDENCE, Quantity(), 20_000),
        (RESIDENCE, Quantity(channel=ONLINE), 10_000),
        (FeeRule(amount=50_000), Quantity(channel=ONLINE), 50_000),  # no online rate: same
        (EXTRACT, Quantity(copies=1), 8000),
        (EXTRACT, Quantity(copies=3), 24_000),
        (CERTIFY, Quantity(pages=1), 2000),
        (CERTIFY, Quantity(pages=2), 4000),
        (CERTIFY, Quantity(pages=3), 5000),
        (CERTIFY, Quantity(pages=10), 12_000),
        (CERTIFY, Quantity(pages=10, copies=2), 24_000),
        (CERTIFY, Quantity(pages=198), 200_000),  # 4,000 + 196,000: exactly the cap
        (CERTIFY, Quantity(pages=199), 200_000),  # capped
        (CERTIFY, Quantity(pages=500, copies=2), 400_000),  # the cap is per copy
        (
            FeeRule(amount=3000, per=Per.PAGE, tiers=(Tier(2, 2000), Tier(5, 500))),
            Quantity(pages=6),
            3000 + 3 * 2000 + 2 * 500,
        ),
    ],
)
def test_it_counts_the_amount_due(rule, quantity, amount):
    quote = fee_due(rule, quantity)
    assert quote.amount == amount
    assert quote.lines[-1].amount == amount


@pytest.mark.parametrize(
    ("quantity", "fields"),
    [
        (Quantity(copies=0), {"copies"}),
        (Quantity(copies=101), {"copies"}),
        (Quantity(pages=0), {"pages"}),
        (Quantity(pages=0, copies=0), {"pages", "copies"}),
    ],
)
def test_it_refuses_impossible_quantities_all_at_once(quantity, fields):
    with pytest.raises(InvalidInput) as info:
        fee_due(CERTIFY, quantity)
    assert {p.details["field"] for p in info.value.problems()} == fields


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        (FeeRule(amount=1000, per=Per.COPY, tiers=(Tier(3, 500),)), "chỉ dùng khi per"),
        (FeeRule(amount=1000, per=Per.PAGE, tiers=(Tier(1, 500),)), "từ trang thứ 2"),
        (FeeRule(amount=1000, per=Per.PAGE, tiers=(Tier(4, 500), Tier(3, 100))), "tăng dần"),
        (FeeRule(amount=1000, max_per_copy=5000), "không dùng với per"),
        (FeeRule(amount=-1), "không được âm"),
    ],
)
def test_it_names_what_is_wrong_with_a_rule(rule, fragment):
    assert any(fragment in problem for problem in check_rule(rule))


@pytest.mark.parametrize("rule", [CERTIFY, RESIDENCE, EXTRACT, FeeRule(amount=5)])
def test_a_rule_survives_its_round_trip_through_json(rule):
    assert check_rule(rule) == []
    assert rule_from_data(rule.amount, rule_to_data(rule)) == rule


def test_a_flat_fee_is_stored_as_no_rule():
    assert rule_to_data(FeeRule(amount=8000)) == {}


def test_it_says_the_rule_in_plain_words():
    lines = rule_words(CERTIFY)
    assert [line.label for line in lines] == [
        "{amount} đồng một trang",
        "Từ trang thứ {page}: {amount} đồng một trang",
        "Tối đa {amount} đồng một bản",
    ]
    assert lines[2].values["amount"] == "200.000"
    assert rule_words(FeeRule())[0].label == "Không mất phí"


@pytest.mark.parametrize(
    ("rule", "asked"),
    [
        (FeeRule(), Asks(copies=False, pages=False)),  # free: nothing to count
        (RESIDENCE, Asks(copies=False, pages=False)),  # per dossier
        (EXTRACT, Asks(copies=True, pages=False)),
        (CERTIFY, Asks(copies=True, pages=True)),
        (FeeRule(per=Per.PAGE), Asks(copies=False, pages=False)),  # per page, but free
    ],
)
def test_the_quantities_a_rule_asks_for(rule, asked):
    assert asks(rule) == asked
