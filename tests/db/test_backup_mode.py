"""Backups are readable by their owner only (issue 10, item 12)."""

import stat

from stages.services import maintenance


def test_a_backup_is_written_0600(db_url, tmp_path):
    if not db_url.startswith("sqlite"):
        import shutil

        import pytest

        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump is not installed")
    path = maintenance.backup(tmp_path / "sauvegarde.bin")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
