"""English through Django i18n: the language switch, a complete catalogue, NFC text.

The interface is written in Vietnamese (LANGUAGE_CODE = "vi"); locale/en holds the English.
"""

from __future__ import annotations

import ast
import gettext
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")

TRACK = "/tra-cuu/"
SIGNIN = "/can-bo/dang-nhap/"

# (Vietnamese, English) as each page shows them.
PAGES = {
    TRACK: [
        ("Tra cứu hồ sơ", "Track a dossier"),
        ("Cán bộ đăng nhập", "Staff sign-in"),
        ("Mã hồ sơ", "Dossier code"),
        ("Mã tra cứu", "Tracking code"),
        ("Bỏ qua, đến nội dung chính", "Skip to main content"),
        ("Ngôn ngữ", "Language"),
    ],
    SIGNIN: [
        ("Cán bộ đăng nhập", "Staff sign-in"),
        ("Tên đăng nhập", "Username"),
        ("Mật khẩu", "Password"),
        ("Đăng nhập", "Sign in"),
        ("Tra cứu hồ sơ", "Track a dossier"),
    ],
}


# --- The language switch -------------------------------------------------------------------


def english_by_setlang(client: Client) -> None:
    """What the selector in base.html does: POST to /i18n/setlang/."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": TRACK})
    assert response.status_code == 302
    assert response["Location"] == TRACK
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def english_by_cookie(client: Client) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.django_db
@pytest.mark.parametrize("choose", [english_by_setlang, english_by_cookie])
@pytest.mark.parametrize("url", list(PAGES))
def test_english_is_shown_once_chosen(client, choose, url):
    choose(client)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    for vietnamese, english in PAGES[url]:
        assert english in html
        assert vietnamese not in html


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(PAGES))
def test_vietnamese_by_default(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    for vietnamese, english in PAGES[url]:
        assert vietnamese in html
        assert english not in html


@pytest.mark.django_db
def test_vietnamese_even_when_the_browser_asks_for_english(client):
    html = client.get(TRACK, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html
    assert "Tra cứu hồ sơ" in html


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_vietnamese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert '<html lang="vi">' in client.get(TRACK).content.decode()


@pytest.mark.django_db
def test_back_to_vietnamese(client):
    english_by_setlang(client)
    client.post("/i18n/setlang/", {"language": "vi", "next": TRACK})
    html = client.get(TRACK).content.decode()
    assert "Tra cứu hồ sơ" in html
    assert "Track a dossier" not in html


@pytest.mark.parametrize(
    ("url", "pairs"),
    [
        ("/can-bo/", [("Việc của tôi", "My work"), ("Tiếp nhận", "Reception")]),
        (
            "/can-bo/tiep-nhan/",
            [
                ("Tiếp nhận hồ sơ", "Receive dossier"),
                ("Đăng xuất", "Sign out"),
                ("Cấp xã", "Commune level"),
            ],
        ),
    ],
)
def test_the_desk_in_english(world, client, url, pairs):
    """A signed-in desk officer (Lan) who chose English."""
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="lan"))
    english_by_cookie(client)
    html = client.get(url).content.decode()
    for vietnamese, english in pairs:
        assert english in html
        assert vietnamese not in html


# --- The catalogue ------------------------------------------------------------------------


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False


def parse_po(path: Path) -> list[Entry]:
    """A small .po reader: flags, msgctxt, msgid(_plural), msgstr([n]), continued lines."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target = ("msgid", 0)
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        obsolete = raw.startswith("#~")
        line = raw[2:].strip() if obsolete else raw.strip()
        if not line or line.startswith("|") or (line.startswith("#") and line[:2] != "#,"):
            continue  # blank, comments, references, previous msgids
        keyword = re.match(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        starts = line.startswith("#,") or (keyword and keyword[1] in ("msgctxt", "msgid"))
        if starts and (entry is None or entry.msgstr):  # the previous entry is complete
            entry = Entry(line=number)
            entries.append(entry)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if keyword:
            target = (keyword[1], int(keyword[2] or 0))
            text = keyword[3]
        elif line.startswith('"') and entry is not None:
            text = line
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        entry.obsolete = entry.obsolete or obsolete
        name, index = target
        value = ast.literal_eval(text)
        if name == "msgstr":
            entry.msgstr[index] = entry.msgstr.get(index, "") + value
        else:
            setattr(entry, name, (getattr(entry, name) or "") + value)
    return entries


def messages() -> list[Entry]:
    return [e for e in parse_po(PO) if e.msgid and not e.obsolete]


def test_header_declares_english_utf8_and_is_not_fuzzy():
    header = next(e for e in parse_po(PO) if not e.msgid)
    assert "fuzzy" not in header.flags
    assert "Language: en\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_catalogue_is_not_empty():
    assert len(messages()) > 100


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [
        f"{PO.name}:{e.line} {e.msgid!r}" for e in messages() if not all(e.msgstr.values())
    ]
    fuzzy = [f"{PO.name}:{e.line} {e.msgid!r}" for e in messages() if "fuzzy" in e.flags]
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)
    assert not fuzzy, "fuzzy:\n" + "\n".join(fuzzy)


PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}")


def test_translations_keep_the_placeholders():
    for e in messages():
        expected = sorted(PLACEHOLDER.findall(e.msgid_plural or e.msgid))
        for msgstr in e.msgstr.values():
            assert sorted(PLACEHOLDER.findall(msgstr)) == expected, e.msgid


def test_no_obsolete_messages_are_left():
    assert not [e.msgid for e in parse_po(PO) if e.obsolete]


def test_the_committed_mo_matches_the_po():
    """CI has no gettext: the compiled catalogue is committed and must be current."""
    with MO.open("rb") as f:
        compiled = gettext.GNUTranslations(f)
    for e in messages():
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            assert compiled.gettext(key) == e.msgstr[0], e.msgid
        else:
            assert compiled.ngettext(key, e.msgid_plural, 1) == e.msgstr[0], e.msgid


def test_catalogue_text_is_nfc():
    """Vietnamese has two encodings for the same letters; only NFC matches the templates."""
    bad = []
    for e in messages():
        for text in (e.msgctxt or "", e.msgid, e.msgid_plural or "", *e.msgstr.values()):
            if not unicodedata.is_normalized("NFC", text):
                bad.append(f"{PO.name}:{e.line} {text!r}")
    assert not bad, "not NFC:\n" + "\n".join(bad)


def test_source_templates_are_nfc():
    """The msgids come from here; a decomposed letter would never match the catalogue."""
    bad = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not unicodedata.is_normalized("NFC", line):
                bad.append(f"{path.relative_to(ROOT)}:{number}")
    assert not bad, "not NFC:\n" + "\n".join(bad)


def test_every_label_the_interface_shows_is_translated():
    """The core's labels (marked with its `_`), model choices and the inbox's buckets."""
    from motcua.catalog.models import Procedure
    from motcua.core.blame import OUTCOME_LABELS
    from motcua.core.lifecycle import ACTION_LABELS, ROLE_LABELS, STATUS_LABELS
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.selectors import BUCKETS

    with translation.override("vi"):  # the source text, whatever an earlier test left active
        shown = {
            *STATUS_LABELS.values(),
            *ACTION_LABELS.values(),
            *ROLE_LABELS.values(),
            *OUTCOME_LABELS.values(),
            *(str(label) for _, label in Dossier.Channel.choices),
            *(str(label) for _, label in Dossier.Delivery.choices),
            *(str(label) for _, label in Procedure.Level.choices),
            *(str(label) for _, label in BUCKETS),
        }
    translated = {e.msgid for e in messages() if all(e.msgstr.values())}
    assert shown - translated == set()


def test_every_marked_message_in_the_code_is_in_the_catalogue():
    """`_("…")` in Python, the core's marker or Django's: a message added without running
    makemessages would silently stay Vietnamese in English."""
    catalogue = {e.msgid for e in messages()}
    missing = []
    for path in sorted((ROOT / "motcua").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "_"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and node.args[0].value not in catalogue
            ):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.args[0].value!r}")
    assert not missing, "run makemessages:\n" + "\n".join(missing)


# --- Domain errors in the chosen language --------------------------------------------------


def english_officer(client: Client, username: str) -> Client:
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    english_by_cookie(client)
    return client


def test_a_refused_action_is_explained_in_english_with_english_labels(world, client):
    from tests.desk.test_pages import receive
    from tests.dossiers.test_services import forward

    d = forward(receive(world), world.lan, "2026-11-25 09:00")
    response = english_officer(client, "lan").post(
        f"/can-bo/ho-so/{d.pk}/thao-tac/", {"action": "approve", "version": d.version}
    )
    html = response.content.decode()
    assert response.status_code == 403
    assert "One-stop desk officer may not “Approve the result”." in html
    assert "không có quyền" not in html


def test_a_bad_id_number_at_reception_is_explained_in_english(world, client):
    from tests.desk.test_pages import reception_post

    response = english_officer(client, "lan").post(
        "/can-bo/tiep-nhan/", reception_post(world, id_number="12345")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "The ID number has 5 digits; a personal ID number has 12 digits" in html
    assert "Số định danh có" not in html


def test_a_field_error_at_reception_is_shown_beside_it_in_english(world, client):
    from tests.desk.test_pages import reception_post

    response = english_officer(client, "lan").post(
        "/can-bo/tiep-nhan/", reception_post(world, email="not-an-address", copies="²")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<ul class="errorlist" id="id_email_error"><li>This is not a valid email address '
        "(for example: name@example.vn).</li></ul>"
    ) in html
    assert "<li>Enter a whole number from 1 to 99.</li>" in html
    assert "please correct the marked fields below" in html
    assert "thư điện tử" not in html.lower()


@pytest.mark.django_db
def test_a_malformed_dossier_code_is_explained_in_english(client):
    english_by_cookie(client)
    response = client.post(TRACK, {"code": "HS-12345", "secret": "ABCD-EFGH"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The dossier code «HS-12345» does not match the format «agency ID code-" in html
    assert "không đúng định dạng" not in html
    assert "mã định danh" not in html


@pytest.mark.django_db
def test_in_english_what_was_typed_is_shown_as_typed(client):
    """Only labels and reasons are translated, never a value the person entered."""
    english_by_cookie(client)
    response = client.post(TRACK, {"code": "Công dân", "secret": "ABCD-EFGH"})
    assert "The dossier code «Công dân» does not match" in response.content.decode()


@pytest.mark.django_db
def test_the_reason_inside_a_message_is_translated_too(client):
    english_by_cookie(client)
    response = client.post(TRACK, {"code": "H26.100-261331-0001", "secret": "ABCD-EFGH"})
    assert "the date «261331» does not exist in the calendar." in response.content.decode()
