"""Who signs for whom above the signature (NĐ 30/2020): TM., KT., from the signer's post."""

from __future__ import annotations

import pytest

from motcua.core.signing import is_deputy, signature_titles


@pytest.mark.parametrize(
    ("kind", "title", "expected"),
    [
        ("commune", "Chủ tịch UBND phường", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
        ("commune", "", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
        (
            "commune",
            "Phó Chủ tịch UBND phường",
            ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
        ),
        ("province", "Chủ tịch", ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]),
        ("department", "Giám đốc", ["GIÁM ĐỐC"]),
        ("department", "Phó Giám đốc", ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]),
        ("police", "Trưởng Công an phường", ["TRƯỞNG CÔNG AN PHƯỜNG"]),
        (
            "police",
            "Phó  Trưởng Công an phường",
            ["KT. TRƯỞNG CÔNG AN PHƯỜNG", "PHÓ TRƯỞNG CÔNG AN PHƯỜNG"],
        ),
        ("centre", "Giám đốc Trung tâm", ["GIÁM ĐỐC TRUNG TÂM"]),
        ("police", "", ["THỦ TRƯỞNG CƠ QUAN"]),
    ],
)
def test_the_titles_follow_the_body_and_the_signers_post(kind, title, expected):
    assert signature_titles(kind=kind, title=title) == expected


@pytest.mark.parametrize(
    ("title", "deputy"),
    [("Phó Chủ tịch", True), ("phó giám đốc", True), ("Chủ tịch", False), ("Phóng viên", False)],
)
def test_a_deputy_is_read_from_the_post(title, deputy):
    assert is_deputy(title) is deputy
