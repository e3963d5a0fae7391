"""Searching a province's catalog: motcua's index against a plain scan, in the same run.

    .venv/bin/python bench/catalog_search.py [--procedures 2000] [--queries 400] [--seed 9]

Builds `--procedures` procedure names the way a province's list reads (the shipped catalog's
names, then seeded combinations of the verbs, objects and qualifiers such lists use), and
`--queries` seeded queries a citizen types for them: exact names with their tones, the same
without tones (đ as d), with the i/y of "ký" swapped, with one or two typing errors (a lost,
doubled, swapped or wrong letter), a few words only, and words that are in no name.

motcua's side is `SearchIndex.search` (`motcua.core.catalog`: the ranked, typo-tolerant
search the portal uses), on an index built once, as the portal keeps one per catalog
generation. The baseline is what the desk's search does today: a substring test of the folded
query in each folded name (`text.fold`, names folded beforehand), a scan of every name that
finds no typo. Both sides answer the same queries, interleaved block by block; the figures
are per query. The build time of the index is printed too. The last line is
`ratio=<motcua time ÷ baseline time>` (the price of ranking and typo tolerance) with each
side's p50 and p99 before it.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

VERBS = [
    "Cấp", "Cấp lại", "Cấp đổi", "Gia hạn", "Điều chỉnh", "Thu hồi", "Đăng ký", "Đăng ký lại",
    "Đăng ký thay đổi", "Xác nhận", "Thẩm định", "Phê duyệt", "Công nhận", "Chấm dứt",
    "Thông báo", "Sửa đổi, bổ sung", "Hỗ trợ", "Giải quyết", "Chuyển đổi", "Hủy bỏ",
]  # fmt: skip
OBJECTS = [
    "giấy phép xây dựng", "giấy phép kinh doanh", "giấy chứng nhận quyền sử dụng đất",
    "hộ kinh doanh", "hợp tác xã", "doanh nghiệp tư nhân", "giấy phép lái xe",
    "chứng chỉ hành nghề", "giấy phép lao động", "thẻ bảo hiểm y tế", "trợ cấp xã hội",
    "khai sinh", "kết hôn", "khai tử", "nhận cha, mẹ, con", "giám hộ", "thường trú",
    "tạm trú", "lý lịch tư pháp", "biển số xe", "giấy phép môi trường", "quyền tác giả",
    "cơ sở bán lẻ thuốc", "cửa hàng xăng dầu", "giấy phép khai thác nước mặt",
    "hồ sơ người có công", "trợ cấp thất nghiệp", "học bổng chính sách", "trường mầm non",
    "cơ sở giáo dục nghề nghiệp", "điểm kinh doanh dịch vụ karaoke", "nhà ở xã hội",
    "chứng nhận an toàn thực phẩm", "giấy phép quảng cáo", "văn phòng công chứng",
    "giấy phép hoạt động điện lực", "tàu cá", "giống cây trồng", "thuốc bảo vệ thực vật",
    "di tích lịch sử", "hội, quỹ xã hội", "cơ sở tôn giáo", "giấy phép bưu chính",
]  # fmt: skip
QUALIFIERS = [
    "", "", "", "cho người nước ngoài", "có yếu tố nước ngoài", "cấp tỉnh", "cấp xã",
    "do bị mất, hỏng", "trường hợp thay đổi thông tin", "theo hình thức trực tuyến",
    "đối với công trình cấp III", "cho tổ chức", "cho cá nhân", "trong khu công nghiệp",
    "tại Việt Nam", "lần đầu", "khi hết hạn",
]  # fmt: skip


def names(count: int, rng: random.Random) -> list[str]:
    shipped = [
        tomllib.loads(path.read_text(encoding="utf-8"))["name"]
        for path in sorted((ROOT / "catalog" / "procedures").glob("*.toml"))
    ]
    found = dict.fromkeys(shipped)
    while len(found) < count:
        name = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}".strip()
        found.setdefault(name)
    return list(found)[:count]


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["lose", "double", "swap", "wrong"])
    if kind == "lose":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    if kind == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + rng.choice("aeioutnhg") + word[i + 1 :]


def queries(all_names: list[str], count: int, rng: random.Random) -> list[str]:
    from motcua.core import text

    made: list[str] = []
    while len(made) < count:
        name = rng.choice(all_names)
        words = text.fold(name).split()
        kind = len(made) % 6
        if kind == 0:
            made.append(name)
        elif kind == 1:
            made.append(" ".join(words))
        elif kind == 2:
            made.append(" ".join(w.replace("ky", "ki").replace("ly", "li") for w in words))
        elif kind == 3:
            made.append(" ".join(typo(w, rng) if rng.random() < 0.4 else w for w in words))
        elif kind == 4:
            start = rng.randrange(len(words))
            made.append(" ".join(words[start : start + 2]))
        else:
            made.append(f"{rng.choice(words)} {rng.choice(['xyzzy', 'abcxyz', 'qwer'])}")
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument("--block", type=int, default=50)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    from motcua.core import text
    from motcua.core.catalog import Entry, SearchIndex

    rng = random.Random(args.seed)
    all_names = names(args.procedures, rng)
    asked = queries(all_names, args.queries, rng)

    started = time.perf_counter()
    index = SearchIndex.build(Entry(i, f"X.{i:06d}", n) for i, n in enumerate(all_names))
    build = time.perf_counter() - started
    folded = [text.fold(n) for n in all_names]

    def ours(q: str) -> int:
        return len(index.search(q))

    def baseline(q: str) -> int:
        key = text.fold(q)
        return len([i for i, n in enumerate(folded) if key in n])

    for q in asked[:20]:  # warm up
        ours(q)
        baseline(q)
    times: dict[str, list[float]] = {"motcua": [], "baseline": []}
    found = {"motcua": 0, "baseline": 0}
    gc.disable()
    try:
        for start in range(0, len(asked), args.block):
            block = asked[start : start + args.block]
            for side, run in (("motcua", ours), ("baseline", baseline)):
                for q in block:
                    t0 = time.perf_counter()
                    hits = run(q)
                    times[side].append(time.perf_counter() - t0)
                    found[side] += hits > 0
    finally:
        gc.enable()

    def ms(values: list[float], q: float) -> float:
        return statistics.quantiles(values, n=100)[int(q) - 1] * 1000 if q < 100 else 0.0

    print(f"procedures={len(all_names)} queries={len(asked)} index_build_ms={build * 1000:.1f}")
    print(f"vocabulary={len(index.postings)} deletion_keys={len(index.neighbours)}")
    for side in ("motcua", "baseline"):
        values = times[side]
        print(
            f"{side}: mean={statistics.fmean(values) * 1000:.3f} ms "
            f"p50={ms(values, 50):.3f} ms p99={ms(values, 99):.3f} ms "
            f"max={max(values) * 1000:.3f} ms answered={found[side]}/{len(asked)}"
        )
    ratio = sum(times["motcua"]) / sum(times["baseline"])
    print(f"ratio={ratio:.2f}")


if __name__ == "__main__":
    main()
