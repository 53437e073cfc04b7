"""App servers for the load test and the browser benchmark: ``streamlit run server.py`` on a free
port of 127.0.0.1, started, then waited for until ``/app/health`` answers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(url: str, log: Path, *, production_bcrypt: bool = False) -> tuple[subprocess.Popen, str]:
    """Start one server on ``url``'s database, its output in ``log``; returns at once (see :func:`wait`).
    ``production_bcrypt``: the production cost (12), whatever ``BCRYPT_ROUNDS`` says."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATABASE_URL": url, "APP_BASE_URL": base, "PYTHONPATH": str(ROOT)}
    if production_bcrypt:
        env.pop("BCRYPT_ROUNDS", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "server.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
         "--browser.gatherUsageStats", "false", "--server.runOnSave", "false"],
        cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT,  # noqa: SIM115 - lives as long as the server
    )
    return proc, base


def wait(proc: subprocess.Popen, base: str, log: Path, timeout: float = 90) -> None:
    """Until the server answers ``/app/health``; RuntimeError (French) if it stops or takes too long."""
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{base}/app/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"le serveur {base} ne démarre pas (voir {log})")
        time.sleep(0.3)
