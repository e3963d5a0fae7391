"""The procedure page says how the fee is counted and counts it for the citizen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.catalog.services import catalog_import, default_catalog_dir


@pytest.fixture
def shipped(db):
    catalog_import(paths=[default_catalog_dir()])


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]*>", " ", response.content.decode()))


def test_it_shows_the_page_rule_and_counts_ten_pages(client, shipped):
    url = reverse("portal:procedure", args=["2.000815"])
    page = text_of(client.get(url))
    assert "Từ trang thứ 3: 1.000 đồng một trang" in page
    assert "Tối đa 200.000 đồng một bản" in page

    response = client.get(url, {"tinh-phi": "1", "ban": "2", "trang": "10"})

    assert response.status_code == 200
    assert response.context["quote"].amount == 24_000
    assert "Số tiền phải nộp: 24.000 đồng" in text_of(response)


def test_it_counts_the_online_rate(client, shipped):
    url = reverse("portal:procedure", args=["1.004222"])
    assert "cach" in client.get(url).context["fee_form"].fields
    response = client.get(url, {"tinh-phi": "1", "cach": "online"})
    assert response.context["quote"].amount == 10_000


def test_a_free_procedure_has_no_calculator(client, shipped):
    response = client.get(reverse("portal:procedure", args=["1.001193"]))
    assert response.context["fee_form"] is None
    assert "Tính số tiền phải nộp" not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"trang": "0"}, "từ 1 đến 2000"),
        ({"trang": "abc"}, "số nguyên"),
        ({"ban": "1000"}, "100"),
    ],
)
def test_bad_quantities_are_said_beside_their_field(client, shipped, params, message):
    url = reverse("portal:procedure", args=["2.000815"])
    response = client.get(url, {"tinh-phi": "1", **params})
    assert response.status_code == 200
    assert "quote" not in response.context
    errors = " ".join(e for errs in response.context["fee_form"].errors.values() for e in errs)
    assert message in errors
