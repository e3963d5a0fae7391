"""The architecture contracts: import-linter's (pyproject.toml) and an independent AST check
that the domain core imports no Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "motcua" / "core"
# What the pure core may never import, directly or lazily inside a function: the framework, the
# database driver, and any part of motcua outside the core.
FORBIDDEN = ("django", "psycopg", "motcua")
ALLOWED = ("motcua.core",)

# A subprocess keeps import-linter's logging setup and sys.path change out of this process.
# Note that `python -m importlinter.cli` runs nothing and exits 0, so it cannot be used.
LINT = """
import sys
from importlinter.cli import lint_imports
sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))
"""


def lint_imports(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", LINT, str(config)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_linter_contracts_are_kept():
    result = lint_imports(ROOT / "pyproject.toml")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "KEPT" in result.stdout


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
