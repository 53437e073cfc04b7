"""The production topology on loopback: PostgreSQL, two app servers, Debian's nginx with TLS.

Everything comes from ``deploy/``: the app servers run the ``ExecStart`` of
``deploy/systemd/stages@.service`` with the settings of ``deploy/stages.env.example`` (test values
where the example names a real host), and nginx runs ``deploy/nginx/stages-de-seconde.conf.template``
rendered by ``envsubst`` on free ports, with a self-signed certificate for 127.0.0.1, as a child
process (``daemon off``) with its own prefix.
"""

from __future__ import annotations

import configparser
import os
import secrets
import shlex
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import SmtpServer, free_port, start_smtp

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = os.environ.get("NGINX_PATH", "/usr/sbin/nginx")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
UNIT_PYTHON = "/opt/stages-de-seconde/.venv/bin/python"


def read_env_file(path: Path) -> dict[str, str]:
    """A systemd EnvironmentFile (KEY=value, # comments, optional quotes)."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def unit_exec(unit: str, instance: str | None = None) -> list[str]:
    """The ExecStart of a deploy/systemd unit, run with this test's Python."""
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(DEPLOY / "systemd" / unit, encoding="utf-8")
    command = parser["Service"]["ExecStart"]
    if instance is not None:
        command = command.replace("%i", instance)
    args = shlex.split(command)
    assert args[0] == UNIT_PYTHON, args
    return [sys.executable, *args[1:]]


@dataclass
class Topology:
    url: str
    database_url: str
    env: dict[str, str]
    workdir: Path
    smtp: SmtpServer
    app_ports: list[int]
    servers: dict[int, subprocess.Popen] = field(default_factory=dict)
    certificate: Path | None = None

    def manage(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env or self.env,
                              capture_output=True, text=True, check=False, timeout=300)

    def python(self, code: str) -> str:
        result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, check=False, timeout=300)
        if result.returncode != 0:
            raise AssertionError(result.stderr)
        return result.stdout

    def upstream_of(self, route_cookie: str) -> int:
        """The app server nginx sent this browser to (its access log names the upstream per request)."""
        for line in reversed((self.workdir / "access.log").read_text().splitlines()):
            cookie, _, upstream = line.partition("|")
            if cookie == route_cookie and upstream not in ("-", ""):
                return int(upstream.split(",")[-1].strip().rsplit(":", 1)[1])
        raise AssertionError("no request of this browser in nginx's access log")

    def kill(self, port: int) -> None:
        proc = self.servers[port]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)


def _fresh_database(base_url: str) -> str:
    url = make_url(base_url)
    name = f"{url.database}_topology"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _wait_for(url: str, context: ssl.SSLContext | None, proc_alive, log: Path, timeout: float = 90) -> None:
    deadline = time.time() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3, context=context) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if not proc_alive() or time.time() > deadline:
            raise AssertionError(f"{url} does not answer:\n{log.read_text() if log.exists() else ''}")
        time.sleep(0.3)


def _nginx_main(workdir: Path, site: Path) -> str:
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(f"    {kind}_temp_path {workdir / ('tmp-' + kind)};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""{user}worker_processes 1;
daemon off;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} warn;
events {{ worker_connections 512; }}
http {{
    log_format topology '$cookie_stages_route|$upstream_addr';
    access_log {workdir / 'access.log'} topology;
{temp}
    include {site};
}}
"""


@pytest.fixture(scope="module")
def topology() -> Iterator[Topology]:
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        pytest.fail("the topology test needs PostgreSQL: set TEST_DATABASE_URL (see README 'Tests')")
    for tool in (NGINX, CHROMIUM):
        if not Path(tool).exists():
            pytest.fail(f"{tool} is not installed (apt-get install -y nginx chromium)")
    if shutil.which("envsubst") is None:
        pytest.fail("envsubst is not installed (apt-get install -y gettext-base)")
    workdir = Path(tempfile.mkdtemp(prefix="stages-topology-"))
    database_url = _fresh_database(base)
    https_port, http_port = free_port(), free_port()
    app_ports = [free_port(), free_port()]
    public = f"https://127.0.0.1:{https_port}"

    certificate, key = workdir / "tls.pem", workdir / "tls.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True)
    backups = workdir / "backups"
    backups.mkdir(mode=0o700)
    site = workdir / "stages-de-seconde.conf"

    smtp, controller = start_smtp()
    env = {key_: value for key_, value in os.environ.items()
           if not key_.startswith(("STREAMLIT_", "SMTP_", "BACKUP_")) and key_ not in ("DEV_OUTBOX", "BCRYPT_ROUNDS")}
    env.update(read_env_file(DEPLOY / "stages.env.example"))
    env.update({
        "DATABASE_URL": database_url, "APP_SERVERS": "2", "APP_BASE_URL": public, "NGINX_SITE": str(site),
        "SMTP_HOST": smtp.host, "SMTP_PORT": str(smtp.port), "SMTP_USER": "", "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": "false", "BACKUP_DIR": str(backups), "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32),
        "PYTHONPATH": str(ROOT), "SSL_CERT_FILE": str(certificate),
    })
    topo = Topology(public, database_url, env, workdir, smtp, app_ports, certificate=certificate)
    nginx = None
    logs = []
    try:
        # The database: migrations, the referential, a director with two candidatures (no demo accounts).
        assert topo.manage("init-db").returncode == 0
        topo.python("from stages.services import referential; referential.import_project_extracts()")

        # The nginx site, rendered from the template as the README says.
        nginx_env = read_env_file(DEPLOY / "nginx" / "nginx.env.example")
        nginx_env.update({
            "STAGES_SERVER_NAME": "127.0.0.1", "STAGES_BASE_URL": public,
            "STAGES_HTTP_LISTEN": f"127.0.0.1:{http_port}", "STAGES_HTTPS_LISTEN": f"127.0.0.1:{https_port}",
            "STAGES_TLS_CERTIFICATE": str(certificate), "STAGES_TLS_CERTIFICATE_KEY": str(key),
            "STAGES_UPSTREAM_SERVERS": " ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;"
                                                for p in app_ports),
        })
        shell_format = " ".join(f"${{{name}}}" for name in nginx_env)
        rendered = subprocess.run(["envsubst", shell_format], input=(DEPLOY / "nginx" /
                                  "stages-de-seconde.conf.template").read_text(), text=True, capture_output=True,
                                  check=True, env={**os.environ, **nginx_env}).stdout
        assert not [line for line in rendered.splitlines() if "${STAGES_" in line and not line.lstrip().startswith("#")]
        site.write_text(rendered)
        main = workdir / "nginx.conf"
        main.write_text(_nginx_main(workdir, site))
        checked = subprocess.run([NGINX, "-t", "-p", str(workdir), "-c", str(main)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr

        for port in app_ports:
            log = open(workdir / f"app-{port}.log", "w")  # noqa: SIM115 - closed below
            logs.append(log)
            topo.servers[port] = subprocess.Popen(unit_exec("stages@.service", str(port)), cwd=ROOT, env=env,
                                                  stdout=log, stderr=subprocess.STDOUT)
        nginx_log = open(workdir / "nginx.out", "w")  # noqa: SIM115 - closed below
        logs.append(nginx_log)
        nginx = subprocess.Popen([NGINX, "-p", str(workdir), "-c", str(main)], stdout=nginx_log,
                                 stderr=subprocess.STDOUT)
        for port in app_ports:
            _wait_for(f"http://127.0.0.1:{port}/app/health", None, lambda p=port: topo.servers[p].poll() is None,
                      workdir / f"app-{port}.log")
        context = ssl.create_default_context(cafile=str(certificate))
        _wait_for(f"{public}/app/health", context, lambda: nginx.poll() is None, workdir / "error.log")
        yield topo
    finally:
        for proc in [*topo.servers.values(), *([nginx] if nginx else [])]:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for log in logs:
            log.close()
        controller.stop()
