"""The import layering (pyproject.toml, [tool.importlinter]) holds and the pure engines type-check.

Contracts: compensation never imports recovery; views/API → forms → services →
selectors → models → domain inside recovery; views → forms → services → models
inside compensation; the pure engines never import the models.

Run as a test so scripts/test.sh and CI check it without another step.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


def test_import_contracts_are_kept():
    pytest.importorskip("importlinter")
    lint_imports = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 5 kept, 0 broken." in result.stdout


def test_the_pure_engines_type_check():
    """mypy over the files pyproject.toml's [tool.mypy] names (the domain packages and the money engines)."""
    pytest.importorskip("mypy")
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found")
