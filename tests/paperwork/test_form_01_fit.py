"""Form 01 on one A5 sheet for the longest paper lists of the real catalog (issue 13)."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from motcua.catalog.models import RequiredDocument
from motcua.dossiers.services import Applicant, Intake, dossier_receive
from tests.conftest import at
from tests.paperwork.test_forms import pdf_text, poppler

CATALOG = Path(settings.BASE_DIR) / "catalog" / "procedures"


def catalog_papers() -> list[tuple[str, list[dict]]]:
    """Each catalog procedure's paper list, as its TOML file gives it."""
    lists = []
    for path in sorted(CATALOG.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for version in data["versions"]:
            lists.append((f"{data['code']}: {data['name']}", version.get("documents", [])))
    return lists


def longest() -> list[tuple[str, list[dict]]]:
    """The list with the most papers and the list with the most text (they may be one)."""
    lists = catalog_papers()
    by_count = max(lists, key=lambda x: (len(x[1]), sum(len(d["name"]) for d in x[1])))
    by_text = max(lists, key=lambda x: sum(len(d["name"]) for d in x[1]))
    return [by_count] if by_count is by_text else [by_count, by_text]


@pytest.mark.parametrize(
    ("procedure", "papers"), longest(), ids=lambda x: x[:8] if isinstance(x, str) else ""
)
def test_form_01_fits_one_a5_sheet_for_the_longest_paper_lists(world, client, procedure, papers):
    version = world.chain.versions.get()
    version.documents.all().delete()
    docs = [
        RequiredDocument.objects.create(
            version=version,
            order=i,
            name=paper["name"],
            copies=paper.get("copies", 1),
            original=paper.get("original", False),
            show_only=paper.get("show_only", False),
        )
        for i, paper in enumerate(papers)
    ]
    # The longest procedure name of the catalog, a representative and a long address besides.
    version.procedure.name = max((name for name, _ in catalog_papers()), key=len).split(": ", 1)[1]
    version.procedure.save()
    applicant = Applicant(
        name="Nguyễn Hoàng Phương Anh",
        id_number="001203012345",
        address="Số 12 ngõ 34 phố Hàng Bạc, tổ dân phố số 5, Phường Hoàn Kiếm, Thành phố Hà Nội",
        phone="0912345678",
        email="phuonganh.nguyen@example.vn",
        representative_name="Lê Văn Hải",
        representative_id_number="001085004321",
        authorisation="Giấy ủy quyền số 12/GUQ ngày 20/11/2026",
    )
    d = dossier_receive(
        intake=Intake(
            procedure_code=world.chain.code,
            applicant=applicant,
            documents=[doc.pk for doc in docs],
        ),
        actor=world.lan,
        now=at("2026-11-25 16:30"),
    )
    client.force_login(get_user_model().objects.get(pk=world.lan.user_id))

    response = client.get(reverse("paperwork:form_pdf", args=[d.pk, "01"]))

    assert response.status_code == 200
    assert "Pages: 1 " in poppler("pdfinfo", response.content), procedure
    words = pdf_text(response.content)
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in words and "Nguyễn Thị Lan" in words
    assert papers[-1]["name"][:30] in words


@pytest.mark.parametrize("extra", range(7, 13))
def test_a_list_longer_than_a_sheet_never_leaves_the_signatures_alone(world, client, extra):
    version = world.chain.versions.get()
    for i in range(extra):
        RequiredDocument.objects.create(
            version=version, order=10 + i, name=f"Giấy tờ kèm theo số {i} ({'dài ' * 12})"
        )
    d = dossier_receive(
        intake=Intake(
            procedure_code=world.chain.code,
            applicant=Applicant(name="Trần Văn Bình", id_number="001203012345"),
            documents=[doc.pk for doc in version.documents.all()],
        ),
        actor=world.lan,
        now=at("2026-11-25 09:30"),
    )
    client.force_login(get_user_model().objects.get(pk=world.lan.user_id))

    content = client.get(reverse("paperwork:form_pdf", args=[d.pk, "01"])).content

    pages = int(re.search(r"Pages: (\d+)", poppler("pdfinfo", content)).group(1))
    last = page_text(content, pages)
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in last
    # With the last lines, never alone: the ledger line goes with the signatures.
    assert "Vào Sổ theo dõi hồ sơ" in last


def page_text(content: bytes, number: int) -> str:
    """The words of one page of a PDF."""
    result = subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), "-layout", "-", "-"],
        input=content,
        capture_output=True,
        check=True,
    )
    return re.sub(r"\s+", " ", result.stdout.decode())


def test_form_01_marks_a_paper_only_shown_as_not_received(world, client):
    version = world.record.versions.get()
    RequiredDocument.objects.create(
        version=version,
        order=5,
        name="Thẻ Căn cước, Căn cước công dân hoặc Hộ chiếu của người yêu cầu",
        show_only=True,
    )
    d = dossier_receive(
        intake=Intake(
            procedure_code=world.record.code,
            applicant=Applicant(name="Trần Văn Bình", id_number="001203012345"),
            documents=[doc.pk for doc in version.documents.all()],
        ),
        actor=world.ha,
        now=at("2026-11-25 09:30"),
    )
    client.force_login(get_user_model().objects.get(pk=world.ha.user_id))

    html = client.get(reverse("paperwork:form", args=[d.pk, "01"])).content.decode()

    rows = re.findall(r"<tr><td class=\"n\">\d+</td>(.*?)</tr>", html)
    assert [re.sub(r"<[^>]+>", "|", row).strip("|") for row in rows] == [
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp||Bản sao||01",
        "Thẻ Căn cước, Căn cước công dân hoặc Hộ chiếu của người yêu cầu||Xuất trình, không thu",
    ]


def test_every_identity_paper_of_the_catalog_is_only_shown():
    """The catalog marks a paper shown at the counter `show_only`, so form 01 says so."""
    identity = [
        (procedure, paper)
        for procedure, papers in catalog_papers()
        for paper in papers
        if paper["name"].startswith(("Hộ chiếu", "Thẻ Căn cước"))
    ]
    assert identity
    assert [p for p in identity if not p[1].get("show_only")] == []
