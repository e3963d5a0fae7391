"""The architecture contracts: import-linter's (pyproject.toml) and an independent AST check
that the domain core imports no Django."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "motcua" / "core"
# What the pure core may never import, directly or lazily inside a function: the framework, the
# database driver, and any part of motcua outside the core.
FORBIDDEN = ("django", "psycopg", "motcua")
ALLOWED = ("motcua.core",)
# The contract that keeps each app's models its own (pyproject.toml), by its name.
BOUNDARY = "An app reaches another app's models only through that app's services and selectors"

# A subprocess keeps import-linter's logging setup and sys.path change out of this process.
# Note that `python -m importlinter.cli` runs nothing and exits 0, so it cannot be used.
LINT = """
import sys
from importlinter.cli import lint_imports
sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))
"""


def lint_imports(config: Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    # Wide enough that import-linter's report does not wrap a line of it.
    env = {**os.environ, "COLUMNS": "400"}
    return subprocess.run(
        [sys.executable, "-c", LINT, str(config)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_linter_contracts_are_kept():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    names = [c["name"] for c in config["tool"]["importlinter"]["contracts"]]

    result = lint_imports(ROOT / "pyproject.toml")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert [name for name in names if f"{name} KEPT" not in result.stdout] == []
    assert BOUNDARY in names


def test_import_linter_reports_a_broken_contract(tmp_path):
    # The harness itself: a contract the code breaks (the dossiers app uses Django) must fail.
    config = tmp_path / "broken.toml"
    config.write_text(
        "[tool.importlinter]\n"
        'root_package = "motcua"\n'
        "include_external_packages = true\n\n"
        "[[tool.importlinter.contracts]]\n"
        'name = "dossiers without Django"\n'
        'type = "forbidden"\n'
        'source_modules = ["motcua.dossiers"]\n'
        'forbidden_modules = ["django"]\n'
    )

    result = lint_imports(config)

    assert result.returncode == 1
    assert "BROKEN" in result.stdout


# A stand-in for motcua with two apps the real one does not have (so the contract must cover
# apps by pattern, not by a list someone forgets to extend) and a top-level module. Each line
# that crosses a boundary at run time is marked; nothing else may be reported.
PROBE = {
    "__init__.py": "",
    "edge.py": "import motcua.hall.models  # BREAKS\n",
    "core/__init__.py": "",
    "town/__init__.py": "",
    "town/models.py": "class Street: ...\n",
    "town/selectors.py": "from motcua.town.models import Street\n",
    "town/services.py": "from motcua.town import models\n",
    "hall/__init__.py": "",
    "hall/models.py": "from motcua.town.selectors import Street\n",  # indirect: allowed
    "hall/views.py": (
        "from typing import TYPE_CHECKING\n"
        "from motcua.hall.models import Street  # its own models\n"
        "from motcua.town.services import models\n"  # the owner's services: allowed
        "if TYPE_CHECKING:\n"
        "    from motcua.town.models import Street as S  # annotations only\n"
        "def later():\n"
        "    from motcua.town.models import Street  # BREAKS\n"
    ),
    "hall/admin.py": "from motcua.town import models  # BREAKS\n",
    "hall/management/__init__.py": "",
    "hall/management/commands/__init__.py": "",
    "hall/management/commands/load.py": "from motcua.town.models import Street  # BREAKS\n",
}


def _toml(table: dict[str, object]) -> str:
    # JSON writes the strings, lists and booleans of these tables as TOML reads them.
    return "".join(f"{key} = {json.dumps(value)}\n" for key, value in table.items())


def test_the_boundary_contract_reports_each_import_of_another_apps_models(tmp_path):
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    settings = config["tool"]["importlinter"]
    boundary = [c for c in settings["contracts"] if c["name"] == BOUNDARY]
    assert len(boundary) == 1, "pyproject.toml has no app boundary contract"
    root = {key: value for key, value in settings.items() if key != "contracts"}
    assert root["exclude_type_checking_imports"] is True
    probe = tmp_path / "probe"
    for name, source in PROBE.items():
        path = probe / "motcua" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    expected = {
        (f"motcua.{name[:-3].replace('/', '.')}", number)
        for name, source in PROBE.items()
        for number, line in enumerate(source.splitlines(), 1)
        if line.endswith("# BREAKS")
    }
    probe_config = tmp_path / "boundary.toml"
    probe_config.write_text(
        f"[tool.importlinter]\n{_toml(root)}\n[[tool.importlinter.contracts]]\n"
        + _toml(boundary[0]),
        encoding="utf-8",
    )

    # Run from the probe's folder, whose motcua is found before the installed one.
    result = lint_imports(probe_config, cwd=probe)

    assert result.returncode == 1, result.stdout + result.stderr
    # "-   motcua.hall.views -> motcua.town.models (l.7)", one line per importer and models.
    links = re.findall(r"-\s+(\S+) -> motcua\.\w+\.models \(([^)]*)\)", result.stdout)
    reported = {
        (importer, int(number))
        for importer, numbers in links
        for number in re.findall(r"\d+", numbers)
    }
    assert reported == expected, result.stdout


def forbidden_imports(source: str, module: str) -> list[str]:
    """The forbidden imports in a source file, including lazy ones inside functions."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.ImportFrom) and node.level > 1:
            # The core is one package: "from .." climbs out of it into motcua.
            names = [f"motcua.{node.module or ''}".rstrip(".")]
        else:
            continue
        found += [
            f"{module}:{node.lineno} imports {name}"
            for name in names
            if _within(name, FORBIDDEN) and not _within(name, ALLOWED)
        ]
    return found


def _within(name: str, packages: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


@pytest.mark.parametrize(
    ("source", "count"),
    [
        ("import django", 1),
        ("from django.db import models", 1),
        ("def f():\n    import django.conf as c\n", 1),
        ("import djangoish, os\nfrom motcua.core import errors", 0),
        ("from . import errors", 0),
        ("from ..dossiers import models", 1),
        ("from motcua.dossiers.models import Dossier", 1),
        ("import motcua.portal.views", 1),
        ("import psycopg", 1),
    ],
)
def test_the_ast_check_finds_django_imports(source, count):
    assert len(forbidden_imports(source, "sample")) == count


def test_no_core_module_imports_django():
    modules = sorted(CORE.rglob("*.py"))
    assert len(modules) > 5  # the scan looked where the core lives

    problems = [
        problem
        for path in modules
        for problem in forbidden_imports(path.read_text(encoding="utf-8"), str(path.name))
    ]

    assert problems == []
