#!/usr/bin/env python3
"""Benchmark (not a test): server-side rerun time of the main pages at three data scales.

    python scripts/bench.py                                   # what `make bench` runs
    python scripts/bench.py --scales dsden --backends sqlite --repeats 3   # a quick look

For each (backend, scale): a fresh database (SQLite file under var/bench/, or the PostgreSQL
database ``bench_<scale>`` dropped and recreated), migrated, seeded with
``manage.py seed-synthetic`` (timed), then measured in a separate process so that the peak
memory of one scale does not leak into the next. Each page is run with Streamlit's AppTest:
one warm-up run, then the median of N reruns; the bare page (a script with one ``st.title``)
is measured in the same process, and the ratio page / bare page is printed. Peak memory is
the measuring process's ``ru_maxrss`` (resident set size, from ``resource.getrusage``): the
interpreter, Streamlit, pandas, plotly and every page rendered, like an app server process.

The table is printed and written to docs/benchmarks.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_DIR = ROOT / "var" / "bench"
DOC = ROOT / "docs" / "benchmarks.md"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SCALES = ("dsden", "academie", "national")
BACKENDS = ("sqlite", "postgresql")
BARE_PAGE = 'import streamlit as st\n\nst.title("Page nue")\n'

# (key, label, role, page file, mode); mode "uncached" clears st.cache_data before each run.
PAGES = [
    ("app_frame", "Cadre de l'app seul (app.py : utilisateur, navigation, en-tête + page statique)", "director",
     "pages/privacy.py", "plain"),
    ("director_space", "Espace directeur (page entière : offres, candidatures, conventions)", "director",
     "pages/director_space.py", "plain"),
    ("director_offers", "« Mes offres » (onglet seul)", "director", "tab:director_offers", "plain"),
    ("director_inbox", "Candidatures reçues du directeur (onglet seul)", "director", "tab:director_candidatures",
     "plain"),
    ("student_offers", "Offres de stage (élève)", "student", "pages/student_offers.py", "plain"),
    ("dashboard_uncached", "Tableau de bord coordinateur, sans cache", "coordinator", "pages/dashboard.py",
     "uncached"),
    ("dashboard_cached", "Tableau de bord coordinateur, en cache", "coordinator", "pages/dashboard.py", "cached"),
    ("ien_uncached", "Tableau de bord IEN, sans cache", "ien", "pages/dashboard.py", "uncached"),
    ("ien_cached", "Tableau de bord IEN, en cache", "ien", "pages/dashboard.py", "cached"),
]
TAB_SCRIPT = """
import streamlit as st
from stages.services import auth
from stages.ui import layout, {module}

with layout.guard():
    {module}.render(auth.load_user({user_id}))
"""


# --------------------------------------------------------------------------- measuring (child process)


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 1)


def _problems(at) -> str:
    """What went wrong in a run, shortly (a benchmark of an error page would be meaningless)."""
    if at.exception:
        return "exception : " + str(at.exception[0].value)[:120]
    errors = [e.value for e in at.error]
    return ("erreur affichée : " + str(errors[0])[:120]) if errors else ""


def measure(url: str, scale: str, repeats: int) -> dict:
    os.environ["DATABASE_URL"] = url
    os.chdir(ROOT)
    import importlib
    import logging
    import resource

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from stages.seed import synthetic

    logging.getLogger("stages").setLevel(logging.CRITICAL)
    accounts = synthetic.benchmark_accounts()
    users = {
        "director": accounts.director_id, "student": accounts.student_id,
        "coordinator": accounts.coordinator_id, "ien": accounts.ien_id,
    }
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    bare = BENCH_DIR / "bare_page.py"
    bare.write_text(BARE_PAGE, encoding="utf-8")

    def clear_caches() -> None:
        """Streamlit's cache and the services' own memo (the dashboard's, if it has one)."""
        st.cache_data.clear()
        for name in ("services.monitoring.cache", "services.offers", "ui.charts"):
            clear = getattr(importlib.import_module(f"stages.{name}"), "clear_cache", None)
            if clear is not None:
                clear()

    def timed(at, clear: bool) -> list[float]:
        out = []
        for _ in range(repeats):
            if clear:
                clear_caches()
            at.session_state["last_seen"] = time.time()
            start = time.perf_counter()
            at.run()
            out.append(time.perf_counter() - start)
        return out

    bare_at = AppTest.from_file(str(bare), default_timeout=60)
    bare_at.run()
    bare_ms = _ms(timed(bare_at, False))
    results = []
    for key, label, role, target, mode in PAGES:
        user_id = users[role]
        row = {"key": key, "label": label, "ms": None, "note": ""}
        if user_id is None:
            row["note"] = f"pas de compte {role} dans les données"
            results.append(row)
            continue
        try:
            if target.startswith("tab:"):
                module = target[4:]
                at = AppTest.from_string(TAB_SCRIPT.format(module=module, user_id=user_id), default_timeout=120)
                at.run()
            else:
                at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
                at.session_state["user_id"] = user_id
                at.session_state["last_seen"] = time.time()
                at.run()
                at.switch_page(target)
                at.run()  # warm-up: imports, first queries, cache filled
            if mode == "uncached":
                clear_caches()
            row["ms"] = _ms(timed(at, mode == "uncached"))
            row["note"] = _problems(at)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports, it does not stop
            row["note"] = f"{type(exc).__name__}: {str(exc)[:120]}"
        results.append(row)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "scale": scale, "bare_ms": bare_ms, "pages": results, "peak_mb": round(peak_mb),
        "repeats": repeats, "director_candidatures": accounts.director_candidatures,
    }


# --------------------------------------------------------------------------- orchestration (parent)


def _pg_url(dbname: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + dbname


def _pg_available() -> str:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), connect_timeout=3) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception as exc:  # noqa: BLE001
        return f"indisponible ({type(exc).__name__})"


def fresh_database(backend: str, scale: str) -> str:
    if backend == "sqlite":
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path = BENCH_DIR / f"{scale}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    name = f"bench_{scale}"
    with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return _pg_url(name)


def _run(args: list[str], url: str) -> tuple[float, str]:
    env = {**os.environ, "DATABASE_URL": url}
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} : {proc.stderr.strip()[-400:]}")
    return elapsed, proc.stdout


def bench_one(backend: str, scale: str, repeats: int, seed: int) -> dict:
    url = fresh_database(backend, scale)
    migrate_s, _ = _run(["manage.py", "init-db"], url)
    seed_s, _ = _run(["manage.py", "seed-synthetic", "--scale", scale, "--seed", str(seed), "--quiet"], url)
    print(f"  {backend} / {scale} : migration {migrate_s:.1f} s, génération {seed_s:.1f} s", flush=True)
    _elapsed, out = _run(["scripts/bench.py", "--_measure", url, "--_scale", scale, "--repeats", str(repeats)], url)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(backend=backend, seed_s=round(seed_s, 1), migrate_s=round(migrate_s, 1))
    return result


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
    except (OSError, IndexError, ValueError):
        mem_kb = 0
    import sqlite3

    import streamlit

    return {
        "nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1024 / 1024, 1), "cpu": cpu,
        "python": platform.python_version(), "streamlit": streamlit.__version__,
        "sqlite": sqlite3.sqlite_version, "postgresql": _pg_available(),
        "date": dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M %Z"),
    }


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}".replace(",", " ")


def render(results: list[dict], info: dict, total_s: float, argv: list[str]) -> str:
    out = [
        "# Benchmarks",
        "",
        f"Measured on {info['date']} by `python scripts/bench.py {' '.join(argv)}`"
        f" in {total_s / 60:.1f} min.",
        "",
        f"Machine: {info['nproc']} CPU ({info['cpu']}), {info['ram_gb']} GB RAM; Python {info['python']}, "
        f"Streamlit {info['streamlit']}, SQLite {info['sqlite']}, PostgreSQL {info['postgresql']}.",
        "",
        "Server-side rerun time of each page with Streamlit's AppTest (median of the reruns after one "
        "warm-up run), next to a bare page (one `st.title`) measured in the same process; ratio = page / "
        "bare page. Peak memory: `ru_maxrss` of the measuring process (resident set, every page rendered). "
        "Generation: wall-clock time of `manage.py seed-synthetic` (fresh database, already migrated).",
        "",
    ]
    for r in results:
        if "error" in r:
            out += [f"## {r['backend']} · {r['scale']}", "", f"Non mesuré : {r['error']}", ""]
            continue
        out += [
            f"## {r['backend']} · {r['scale']}",
            "",
            f"Generation {r['seed_s']} s · bare page {_fmt(r['bare_ms'])} ms · peak memory {r['peak_mb']} MB · "
            f"{r['repeats']} reruns per page · director's inbox: {r['director_candidatures']} candidatures",
            "",
            "| page | median (ms) | ratio to bare page | note |",
            "|---|---:|---:|---|",
        ]
        for p in r["pages"]:
            ratio = f"{p['ms'] / r['bare_ms']:.1f}×" if p["ms"] is not None and r["bare_ms"] else "—"
            out.append(f"| {p['label']} | {_fmt(p['ms'])} | {ratio} | {p['note']} |")
        out.append("")
    out += targets(results)
    return "\n".join(out) + "\n"


def targets(results: list[dict]) -> list[str]:
    """The issue's targets, checked against the figures above."""
    by = {(r["backend"], r["scale"]): r for r in results if "error" not in r}

    def page(r: dict, key: str) -> float | None:
        return next((p["ms"] for p in r["pages"] if p["key"] == key), None)

    lines = ["## Targets", "", "| target | backend | figure | met |", "|---|---|---|---|"]
    for (backend, scale), r in sorted(by.items()):
        for key in ("director_space", "director_offers", "director_inbox"):
            ms = page(r, key)
            if ms is not None and r["bare_ms"]:
                ratio = ms / r["bare_ms"]
                lines.append(f"| {key} ≤ 3× bare page ({scale}) | {backend} | {ratio:.1f}× | "
                             f"{'oui' if ratio <= 3 else 'non'} |")
    for backend in BACKENDS:
        nat, dsden = by.get((backend, "national")), by.get((backend, "dsden"))
        if nat and dsden:
            for key in ("director_space", "director_offers", "director_inbox"):
                a, b = page(nat, key), page(dsden, key)
                if a and b:
                    lines.append(f"| {key} national ≤ 1.5× dsden | {backend} | {a / b:.2f}× | "
                                 f"{'oui' if a / b <= 1.5 else 'non'} |")
        if nat:
            for key in ("dashboard_uncached", "ien_uncached"):
                ms = page(nat, key)
                if ms is not None:
                    lines.append(f"| {key} national ≤ 300 ms | {backend} | {ms:.0f} ms | "
                                 f"{'oui' if ms <= 300 else 'non'} |")
            for key in ("dashboard_cached", "ien_cached"):
                ms = page(nat, key)
                if ms is not None and nat["bare_ms"]:
                    ratio = ms / nat["bare_ms"]
                    lines.append(f"| {key} national ≤ 2× bare page | {backend} | {ratio:.1f}× | "
                                 f"{'oui' if ratio <= 2 else 'non'} |")
            lines.append(f"| peak memory national < 600 MB | {backend} | {nat['peak_mb']} MB | "
                         f"{'oui' if nat['peak_mb'] < 600 else 'non'} |")
    return lines + [""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark des pages aux trois échelles (voir docs/benchmarks.md).")
    parser.add_argument("--scales", default=",".join(SCALES), help="dsden,academie,national")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="sqlite,postgresql")
    parser.add_argument("--repeats", type=int, default=7, help="reruns per page (median)")
    parser.add_argument("--national-repeats", type=int, default=5, help="reruns per page at the national scale")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true", help="print only, do not write docs/benchmarks.md")
    parser.add_argument("--_measure", help=argparse.SUPPRESS)
    parser.add_argument("--_scale", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args._measure:
        print(json.dumps(measure(args._measure, args._scale, args.repeats)))
        return 0

    scales = [s for s in args.scales.split(",") if s]
    backends = [b for b in args.backends.split(",") if b]
    for value, allowed in ((scales, SCALES), (backends, BACKENDS)):
        unknown = set(value) - set(allowed)
        if unknown:
            parser.error(f"inconnu : {', '.join(sorted(unknown))} (attendu : {', '.join(allowed)})")
    started = time.perf_counter()
    info = machine()
    print(f"Machine : {info['nproc']} CPU, {info['ram_gb']} Go, {info['cpu']} — PostgreSQL {info['postgresql']}")
    results = []
    for backend in backends:
        if backend == "postgresql" and info["postgresql"].startswith("indisponible"):
            results += [{"backend": backend, "scale": s, "error": f"PostgreSQL {info['postgresql']}"} for s in scales]
            continue
        for scale in scales:
            repeats = args.national_repeats if scale == "national" else args.repeats
            try:
                results.append(bench_one(backend, scale, repeats, args.seed))
            except Exception as exc:  # noqa: BLE001 - report and go on with the other scales
                results.append({"backend": backend, "scale": scale, "error": str(exc)})
            print(f"  {backend} / {scale} : mesuré ({time.perf_counter() - started:.0f} s écoulées)", flush=True)
    text = render(results, info, time.perf_counter() - started, argv if argv is not None else sys.argv[1:])
    print()
    print(text)
    if not args.no_write:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"Écrit : {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
