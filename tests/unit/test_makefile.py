"""make run: mail links follow PORT, and only the runtime requirements are installed (dry run)."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def dry_run(*args: str, tmp_path: Path) -> str:
    if shutil.which("make") is None:
        pytest.fail("make is not installed")
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run(["make", "-n", *args, f"VENV={tmp_path / 'venv'}"], cwd=ROOT, env=env,
                            capture_output=True, text=True, check=True)
    return result.stdout


def test_run_writes_links_for_its_own_port_and_installs_the_runtime_only(tmp_path):
    out = dry_run("run", "PORT=8600", tmp_path=tmp_path)
    assert "APP_BASE_URL=http://localhost:8600 " in out and "--server.port 8600" in out
    assert "-r requirements.txt" in out and "requirements-dev.txt" not in out


def test_an_explicit_base_url_wins(tmp_path):
    out = dry_run("run", "PORT=8600", "APP_BASE_URL=https://stages.ac-dijon.fr", tmp_path=tmp_path)
    assert "APP_BASE_URL=https://stages.ac-dijon.fr " in out


def test_tests_install_the_test_tools_too(tmp_path):
    out = dry_run("test-unit", tmp_path=tmp_path)
    assert "-r requirements.txt" in out and "-r requirements-dev.txt" in out
