"""Under CI, a browser or LibreOffice test that cannot run fails the suite instead of passing as skipped."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.no_db


def _pytest(*args: str, ci: bool, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("CI", "TRACKER_TEST_DATABASE_URL")}
    environ.update(env)
    if ci:
        environ["CI"] = "true"
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], cwd=ROOT,
                          env=environ, capture_output=True, text=True, timeout=300)


def test_a_missing_browser_fails_under_ci_and_only_skips_elsewhere():
    target = "tests/e2e/test_confirm.py"
    local = _pytest(target, ci=False, TRACKER_CHROMIUM="/nonexistent/chromium")
    assert local.returncode == 0 and "2 skipped" in local.stdout, local.stdout
    ci = _pytest(target, ci=True, TRACKER_CHROMIUM="/nonexistent/chromium")
    assert ci.returncode == 1, ci.stdout
    # The skip happens at setup, so pytest counts the two as errors; either way the run fails.
    assert "2 errors" in ci.stdout and "under CI every browser and LibreOffice test must run" in ci.stdout


def test_a_missing_libreoffice_fails_under_ci():
    target = "tests/exports/test_workbooks.py::test_libreoffice_opens_the_ledger"
    path = str(Path(sys.executable).parent) + ":/usr/bin/nonexistent"  # python and nothing else
    local = _pytest(target, ci=False, PATH=path)
    assert local.returncode == 0 and "1 skipped" in local.stdout, local.stdout
    ci = _pytest(target, ci=True, PATH=path)
    assert ci.returncode == 1 and "1 error" in ci.stdout, ci.stdout
