#!/usr/bin/env python3
"""Run every test suite and say plainly, for any suite that cannot run, exactly why.

Used by ``make test`` (and so by ``.ci/run``). With ``CI`` set, a suite that cannot run is
a failure, not a skip: CI must skip nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def postgres_problem() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return ("TEST_DATABASE_URL is not set: the db suite runs on SQLite only. Set it, e.g. "
                "TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test")
    try:
        from sqlalchemy import create_engine, text

        with create_engine(url).connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001
        return f"PostgreSQL at TEST_DATABASE_URL does not answer ({type(exc).__name__}: {exc}); start it with " \
               "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
    return None


def chromium_problem() -> str | None:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists() and not shutil.which("chromium"):
        return f"Chromium is not installed at {path}: the e2e suite cannot run (apt-get install -y chromium)"
    return None


def topology_problem() -> str | None:
    """tests/topology needs PostgreSQL, Chromium, Debian's nginx, envsubst and openssl."""
    missing = [tool for tool, path in (("nginx", os.environ.get("NGINX_PATH", "/usr/sbin/nginx")),
                                       ("envsubst", shutil.which("envsubst")), ("openssl", shutil.which("openssl")))
               if not path or not Path(path).exists()]
    if missing:
        return (f"{', '.join(missing)} not installed: the topology suite cannot run "
                "(apt-get install -y nginx gettext-base openssl)")
    return postgres_problem() or chromium_problem()


def main() -> int:
    in_ci = bool(os.environ.get("CI"))
    problems = {"db (PostgreSQL)": postgres_problem(), "e2e": chromium_problem(), "topology": topology_problem()}
    for suite, problem in problems.items():
        if problem:
            print(f"!! suite {suite} cannot run: {problem}")
    if in_ci and any(problems.values()):
        print("!! CI must skip nothing: failing.")
        return 1
    args = [sys.executable, "-m", "pytest", "tests", "-q", "-p", "no:cacheprovider", "-rs"]
    if problems["e2e"]:
        args += ["--ignore=tests/e2e"]
    if problems["topology"]:
        args += ["--ignore=tests/topology"]
    return subprocess.call(args, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())
