"""The lock files against pyproject.toml's pins, and how `run.py test` reads pip-audit."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import run

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = ROOT / "requirements" / "lock.txt"
LOCK_TEST = ROOT / "requirements" / "lock-test.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", re.MULTILINE)


def locked(path: Path) -> dict[str, str]:
    return {canonicalize_name(name): version for name, version in PIN.findall(path.read_text())}


def pins(*extras: str) -> dict[str, str]:
    """Every direct dependency's name and pinned version (`==`, the house rule)."""
    project = PYPROJECT["project"]
    lines = project["dependencies"] + [
        d for e in extras for d in project["optional-dependencies"][e]
    ]
    found = {}
    for line in lines:
        req = Requirement(line)
        (spec,) = req.specifier
        assert spec.operator == "==", f"{line}: pin it exactly"
        found[canonicalize_name(req.name)] = spec.version
    return found


@pytest.mark.parametrize(
    ("lock", "extras"), [(LOCK, ()), (LOCK_TEST, ("test", "divisions"))], ids=["prod", "test"]
)
def test_every_pin_of_pyproject_is_in_the_lock_at_the_same_version(lock, extras):
    have = locked(lock)
    wrong = {
        name: (version, have.get(name, "missing"))
        for name, version in pins(*extras).items()
        if have.get(name) != version
    }
    assert wrong == {}


def test_production_installs_the_test_lock_s_versions_and_nothing_of_the_tests():
    prod, test = locked(LOCK), locked(LOCK_TEST)
    assert {n: v for n, v in prod.items() if test.get(n) != v} == {}
    assert "pytest" not in prod and "pip-audit" not in prod


@pytest.mark.parametrize("lock", [LOCK, LOCK_TEST], ids=["prod", "test"])
def test_every_locked_package_carries_its_hashes(lock):
    entries = re.split(r"\n(?=[A-Za-z0-9])", lock.read_text().split("\n\n")[-1].strip())
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert unhashed == []
    assert len(locked(lock)) > len(pins())  # the indirect dependencies are there too


def test_the_install_stamp_changes_with_the_lock(tmp_path):
    pyproject, lock = tmp_path / "pyproject.toml", tmp_path / "lock.txt"
    pyproject.write_text("[project]\n")
    lock.write_text("django==5.2.19 --hash=sha256:aa\n")
    before = run.install_digest(pyproject, lock)
    lock.write_text("django==5.2.20 --hash=sha256:bb\n")
    assert run.install_digest(pyproject, lock) != before


AUDITED = {"name": "django", "version": "5.2.19", "vulns": []}
SKIPPED = {"name": "waitress", "skip_reason": "Dependency not found on PyPI"}
VULNERABLE = {
    "name": "django",
    "version": "5.2.1",
    "vulns": [{"id": "PYSEC-2025-47", "fix_versions": ["4.2.22", "5.1.10", "5.2.2"]}],
}


@pytest.mark.parametrize(
    ("dependencies", "verdict", "line"),
    [
        ([AUDITED], True, "vulnerability check: 1 packages, none vulnerable (pypi)"),
        (
            [AUDITED, SKIPPED],
            True,
            "vulnerability check: 1 packages, none vulnerable (pypi, 1 not found there)",
        ),
        ([SKIPPED, SKIPPED], None, "cannot reach https://pypi.org/pypi/<name>/<version>/json"),
        ([], None, "cannot reach https://pypi.org/pypi/<name>/<version>/json"),
        (
            [AUDITED, VULNERABLE, SKIPPED],
            False,
            "vulnerability check: 1 known: django 5.2.1 PYSEC-2025-47 (fixed in 4.2.22, 5.1.10, "
            "5.2.2)",
        ),
    ],
)
def test_vulnerability_verdict(dependencies, verdict, line):
    report = {"dependencies": dependencies, "fixes": []}
    assert run.vulnerability_verdict("pypi", report) == (verdict, line)


def fake_pip_audit(tmp_path, monkeypatch, reports):
    """A stand-in pip-audit printing, for each service, the report given (None: no JSON)."""
    (tmp_path / "pip-audit").write_text(
        "#!/usr/bin/env python3\n"
        "import json, sys\n"
        f"reports = {reports!r}\n"
        "report = reports[sys.argv[sys.argv.index('-s') + 1]]\n"
        "print('Traceback: ConnectionError' if report is None else json.dumps(report))\n"
        "sys.exit(1)\n"
    )
    (tmp_path / "pip-audit").chmod(0o755)
    monkeypatch.setattr(run, "BIN", tmp_path)


def test_no_vulnerability_database_is_said_in_one_line_and_does_not_fail(
    tmp_path, monkeypatch, capsys
):
    fake_pip_audit(tmp_path, monkeypatch, {"osv": None, "pypi": {"dependencies": [SKIPPED]}})

    run.audit_dependencies({})

    assert capsys.readouterr().out == (
        "vulnerability check: skipped, cannot reach https://api.osv.dev nor "
        "https://pypi.org/pypi/<name>/<version>/json\n"
    )


def test_a_known_vulnerability_fails_the_run(tmp_path, monkeypatch, capsys):
    fake_pip_audit(tmp_path, monkeypatch, {"osv": None, "pypi": {"dependencies": [VULNERABLE]}})

    with pytest.raises(SystemExit) as exit_:
        run.audit_dependencies({})

    assert exit_.value.code == 1
    assert "django 5.2.1 PYSEC-2025-47" in capsys.readouterr().out


def test_the_first_service_that_answers_decides(tmp_path, monkeypatch, capsys):
    osv = {"dependencies": [AUDITED]}
    fake_pip_audit(tmp_path, monkeypatch, {"osv": osv, "pypi": {"dependencies": [VULNERABLE]}})

    run.audit_dependencies({})

    assert capsys.readouterr().out == "vulnerability check: 1 packages, none vulnerable (osv)\n"


def test_an_osv_mirror_is_asked_when_one_is_named(tmp_path, monkeypatch, capsys):
    (tmp_path / "pip-audit").write_text(
        "#!/bin/sh\n"
        f'echo "$@" > {tmp_path}/argv\n'
        'echo \'{"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []}]}\'\n'
    )
    (tmp_path / "pip-audit").chmod(0o755)
    monkeypatch.setattr(run, "BIN", tmp_path)

    run.audit_dependencies({"MOTCUA_OSV_URL": "http://osv.internal/v1/query"})

    assert "--osv-url http://osv.internal/v1/query" in (tmp_path / "argv").read_text()
    assert capsys.readouterr().out == "vulnerability check: 1 packages, none vulnerable (osv)\n"
