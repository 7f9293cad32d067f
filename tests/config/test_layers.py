"""The import layering (pyproject.toml, [tool.importlinter]) holds: compensation never imports recovery.

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
    assert "0 broken" in result.stdout
