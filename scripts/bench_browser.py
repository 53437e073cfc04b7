#!/usr/bin/env python3
"""Browser benchmark (not a test): speed as a person feels it, in Chromium, part of ``make bench``.

    python scripts/bench_browser.py                              # what `make bench` runs after bench.py
    python scripts/bench_browser.py --scales dsden --repeats 3 --no-write   # a quick look

For each scale: a fresh SQLite database under var/bench-browser/ seeded by ``manage.py
seed-synthetic``, one ``streamlit run server.py``, Debian's Chromium through Playwright. In one
browser session per role, the pages are opened by clicking their link in the sidebar,
alternating with the static page "Conditions d'utilisation", and after each click the duration
of Streamlit's own ``script-run-cycle`` measure (``performance.measure`` from the "running" to the
"notRunning" mark, written by the frontend after each run) is read: the median per page is
printed next to the static page's median of the same session, and their ratio. For the
director's actions (open a candidature, accept, refuse) the time is taken in the page from the
click to the updated inbox on screen (the expected text shown and the app idle again), and the
action's last ``script-run-cycle`` beside it.

Writes docs/browser-benchmarks.md with the machine and the date.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
WORK = ROOT / "var" / "bench-browser"
DOC = ROOT / "docs" / "browser-benchmarks.md"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCALES = ("dsden", "academie", "national")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
STATIC = "Conditions d'utilisation"
PARTIAL: list[str] = []  # what failed after some measures were taken
ACT_TIMEOUT_MS = 45_000  # a shared machine can be very slow; a real failure still ends
# Targets of the issue: ratio to the static page of the same session.
TARGETS = {"director": 1.2, "dashboard": 1.5}

LAST_CYCLE = """() => {
  const e = performance.getEntriesByName('script-run-cycle');
  return e.length ? [e.length, e[e.length - 1].duration] : [0, null];
}"""
# Resolves (with the page clock) once the text is on screen and the app is idle again.
DONE_WHEN = """([text, count]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (performance.getEntriesByName('script-run-cycle').length <= count) return false;
  const texts = text === null ? [] : [].concat(text);  // one text, or any of several
  if (texts.length && !texts.some(t => document.body.innerText.includes(t))) return false;
  return performance.now();
}"""


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------- data and server


def prepare(scale: str, seed: int) -> tuple[str, float]:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"{scale}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{path}"
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "seed-synthetic", "--scale", scale, "--seed", str(seed), "--quiet"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return url, time.perf_counter() - start


def accounts(url: str) -> dict:
    """The benchmark's director (an ordinary busy inbox of the 71) and the coordinator of the 71."""
    code = (
        "import json\n"
        "from sqlalchemy import select\n"
        "from db import read_session\n"
        "from db.models import User\n"
        "from stages.seed import synthetic\n"
        "a = synthetic.benchmark_accounts()\n"
        "with read_session() as s:\n"
        "    email = lambda i: s.scalar(select(User.email).where(User.id == i)) if i else None\n"
        "    print(json.dumps({'director': email(a.director_id), 'coordinator': email(a.coordinator_id),\n"
        "                      'candidatures': a.director_candidatures, 'password': synthetic.SYNTHETIC_PASSWORD}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_server(url: str, log: Path) -> tuple[subprocess.Popen, str]:
    from loadtest import server

    proc, base = server.start(url, log)
    server.wait(proc, base, log)
    return proc, base


# --------------------------------------------------------------------------- in the browser


class Session:
    """One browser tab of one role, with helpers that time what a person waits for."""

    def __init__(self, browser, base: str):
        self.context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                           viewport={"width": 1400, "height": 1000})
        self.context.set_default_timeout(180_000)
        self.page = self.context.new_page()
        self.base = base

    def close(self) -> None:
        self.context.close()

    def cycles(self) -> int:
        return self.page.evaluate(LAST_CYCLE)[0]

    def act(self, do, text: str | list[str] | None = None) -> tuple[float, float | None]:
        """Run ``do`` (a click...), wait for ``text`` on screen and the app idle after a new run.
        Returns (click → done in ms, the last script-run-cycle in ms)."""
        count = self.cycles()
        t0 = self.page.evaluate("performance.now()")
        do()
        t1 = self.page.wait_for_function(DONE_WHEN, arg=[text, count], polling="raf", timeout=ACT_TIMEOUT_MS).json_value()
        self.page.wait_for_selector(IDLE)
        return t1 - t0, self.page.evaluate(LAST_CYCLE)[1]

    def login(self, email: str, password: str) -> None:
        self.page.goto(f"{self.base}/connexion")
        self.page.wait_for_selector(IDLE)
        self.page.get_by_role("textbox", name="Adresse électronique").fill(email)
        self.page.get_by_role("textbox", name="Mot de passe", exact=True).fill(password)
        self.act(lambda: self.page.get_by_role("button", name="Se connecter").click(), "Connecté")

    def nav(self, name) -> float | None:
        """Open a page by its sidebar link; None (nothing to time) when it is already the page shown:
        a click on the current page's link starts no run."""
        link = self.page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=name).first
        href = link.get_attribute("href") or ""
        if urlsplit(href).path.rstrip("/") == urlsplit(self.page.url).path.rstrip("/"):
            return None
        return self.act(lambda: link.click())[1]


def _median(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def pages_against_static(session: Session, pages: dict[str, object], repeats: int) -> dict:
    """Alternate static page / each page; medians of script-run-cycle per page and for the static page."""
    static, measured = [], {key: [] for key in pages}
    session.nav(STATIC)  # warm-up of the static page, and away from the page the login landed on
    for name in pages.values():  # warm-up of each page (imports, first queries)
        session.nav(name)
    for _ in range(repeats):
        for key, name in pages.items():
            static.append(session.nav(STATIC))
            measured[key].append(session.nav(name))
    return {"static": _median(static), **{key: _median(v) for key, v in measured.items()}}


def director_actions(session: Session, repeats: int) -> dict:
    page = session.page
    out = {"open": [], "accept": [], "refuse": [], "tab": []}
    session.nav(re.compile("Espace de"))
    try:
        _director_loop(session, repeats, out)
    except Exception as exc:  # noqa: BLE001 - keep what was measured before the failure
        PARTIAL.append(f"actions du directeur (après {sum(len(v) for v in out.values())} mesures) : "
                       f"{type(exc).__name__}: {str(exc).splitlines()[0][:140]}")
    return {key: {"n": len(v), "click_ms": _median([a for a, _ in v]), "cycle_ms": _median([c for _, c in v])}
            for key, v in out.items()}


def _director_loop(session: Session, repeats: int, out: dict) -> None:
    page = session.page
    for i in range(repeats):
        tab = page.get_by_role("tab", name="Candidatures", exact=True)
        if tab.get_attribute("aria-selected") == "true":  # the space remembers its tab: leave it first
            offers = page.get_by_role("tab", name="Offres de stage", exact=True)
            session.act(lambda offers=offers: offers.click())
        out["tab"].append(session.act(lambda tab=tab: tab.click(), "Délai de réponse aux élèves"))
        rows = page.get_by_role("button", name="Ouvrir", exact=True)
        if rows.count() == 0:
            break
        out["open"].append(session.act(lambda: rows.first.click(), "Message de motivation"))
        if i % 2 == 0:
            out["accept"].append(session.act(
                lambda: page.get_by_role("button", name="Accepter", exact=True).click(),
                ["acceptée.", "n'a plus de place"]))  # a full offer: the service's refusal is the updated page
        else:
            page.get_by_role("textbox", name="Motif du refus", exact=True).fill("Nous accueillons déjà un stagiaire.")
            out["refuse"].append(session.act(
                lambda: page.get_by_role("button", name="Refuser", exact=True).click(), "refusée."))
        session.nav(STATIC)
        session.nav(re.compile("Espace de"))


def dashboard_filter(session: Session, repeats: int) -> dict:
    """The chart chosen, then the table chosen (segmented controls), and a circonscription filter."""
    page = session.page
    out = {"chart": [], "filter": []}
    for _ in range(repeats):
        for label in ("Couverture", "Offres et places"):
            button = page.locator('[data-testid="stButtonGroup"] button', has_text=label).first
            out["chart"].append(session.act(lambda button=button: button.click())[1])
        combo = page.get_by_role("combobox", name=re.compile("Circonscriptions"))
        combo.click()
        option = page.get_by_role("option").first
        out["filter"].append(session.act(lambda option=option: option.click())[1])
        page.keyboard.press("Escape")
        clear = page.locator('[data-testid="stMultiSelect"]').first.get_by_role("button", name=re.compile("[Cc]lear|Effacer|Supprimer")).first
        if clear.count():
            session.act(lambda clear=clear: clear.click())
    return {key: _median(v) for key, v in out.items()}


def measure_scale(browser, scale: str, seed: int, repeats: int) -> dict:
    url, seed_s = prepare(scale, seed)
    acc = accounts(url)
    proc, base = start_server(url, WORK / f"{scale}.log")
    result: dict = {"scale": scale, "seed_s": round(seed_s, 1), "candidatures": acc["candidatures"]}
    problems = result["problems"] = []

    def attempt(label, fn, default):
        try:
            return fn()
        except Exception as exc:  # noqa: BLE001 - a benchmark reports what it could not measure, and goes on
            problems.append(f"{label} : {type(exc).__name__}: {str(exc).splitlines()[0][:140]}")
            return default

    try:
        director = Session(browser, base)
        director.login(acc["director"], acc["password"])
        result["director_pages"] = attempt("espace directeur", lambda: pages_against_static(
            director, {"director_space": re.compile("Espace de")}, repeats), {"static": None, "director_space": None})
        empty = {"n": 0, "click_ms": None, "cycle_ms": None}
        result["director_actions"] = attempt("actions du directeur", lambda: director_actions(director, repeats),
                                             {k: empty for k in ("open", "accept", "refuse", "tab")})
        director.close()
        coordinator = Session(browser, base)
        coordinator.login(acc["coordinator"], acc["password"])
        result["dashboard_pages"] = attempt("tableau de bord", lambda: pages_against_static(
            coordinator, {"dashboard": "Tableau de bord"}, repeats), {"static": None, "dashboard": None})
        result["dashboard_actions"] = attempt("filtres du tableau de bord", lambda: dashboard_filter(coordinator, repeats),
                                              {})
        coordinator.close()
        problems.extend(PARTIAL)
        PARTIAL.clear()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return result


# --------------------------------------------------------------------------- report


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _ratio(value: float | None, static: float | None, target: float) -> tuple[str, str]:
    if value is None or not static:
        return "—", "—"
    ratio = value / static
    return f"{ratio:.2f}×", ("oui" if ratio <= target else "non")


def render(results: list[dict], info: dict, total_s: float, argv: list[str]) -> str:
    out = [
        "# Browser benchmarks",
        "",
        f"Measured on {info['date']} by `python scripts/bench_browser.py {' '.join(argv)}` in {total_s / 60:.1f} min.",
        "",
        f"Machine: {info['nproc']} CPU ({info['cpu']}), {info['ram_gb']} GB RAM; Python {info['python']}, "
        f"Streamlit {info['streamlit']}, SQLite {info['sqlite']}; Chromium (Debian) headless through Playwright. "
        "The machine may be shared with other work while it runs: compare a page with the static page of the "
        "same session (the ratio), not absolute times between runs.",
        "",
        "`script-run-cycle`: Streamlit's own measure in the page, from the frontend's \"running\" mark to its "
        "\"notRunning\" mark (the script's run as the browser sees it, rendering of the deltas included); "
        "median over the repeats. Each page is opened by a click on its link in the sidebar, alternating with "
        f"the static page \"{STATIC}\" (same session). Director's actions: click → updated page on screen "
        "(the expected text shown and the app idle again, timed with the page's clock), and the action's last "
        "`script-run-cycle` (after `st.rerun`, the run that draws the updated inbox).",
        "",
        "| scale | what | script-run-cycle (ms) | static page (ms) | ratio | target | met | click → updated (ms) |",
        "|---|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        if "error" in r:
            out.append(f"| {r['scale']} | not measured: {r['error']} | | | | | | |")
            continue
        static = r["director_pages"]["static"]
        ratio, met = _ratio(r["director_pages"]["director_space"], static, TARGETS["director"])
        out.append(f"| {r['scale']} | Espace directeur (page) | {_fmt(r['director_pages']['director_space'])} "
                   f"| {_fmt(static)} | {ratio} | ≤ 1.2× | {met} | |")
        for key, label in (("tab", "onglet « Candidatures »"), ("open", "ouvrir une candidature"),
                           ("accept", "accepter"), ("refuse", "refuser")):
            a = r["director_actions"][key]
            ratio, met = _ratio(a["cycle_ms"], static, TARGETS["director"])
            out.append(f"| {r['scale']} | directeur : {label} (n={a['n']}) | {_fmt(a['cycle_ms'])} | {_fmt(static)} "
                       f"| {ratio} | ≤ 1.2× | {met} | {_fmt(a['click_ms'])} |")
        dstatic = r["dashboard_pages"]["static"]
        ratio, met = _ratio(r["dashboard_pages"]["dashboard"], dstatic, TARGETS["dashboard"])
        out.append(f"| {r['scale']} | Tableau de bord (page) | {_fmt(r['dashboard_pages']['dashboard'])} "
                   f"| {_fmt(dstatic)} | {ratio} | ≤ 1.5× | {met} | |")
        actions = r.get("dashboard_actions", {})
        if "error" in actions:
            out.append(f"| {r['scale']} | tableau de bord : filtres non mesurés ({actions['error']}) | | | | | | |")
        else:
            for key, label in (("chart", "choix du graphique"), ("filter", "filtre circonscription")):
                ratio, met = _ratio(actions.get(key), dstatic, TARGETS["dashboard"])
                out.append(f"| {r['scale']} | tableau de bord : {label} | {_fmt(actions.get(key))} | {_fmt(dstatic)} "
                           f"| {ratio} | ≤ 1.5× | {met} | |")
    out.append("")
    for r in results:
        for problem in r.get("problems", []):
            out.append(f"- {r['scale']}, not measured: {problem}")
    out.append("")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesure dans Chromium (voir docs/browser-benchmarks.md).")
    parser.add_argument("--scales", default="dsden,academie", help="dsden,academie,national")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    scales = [s for s in args.scales.split(",") if s]
    if set(scales) - set(SCALES):
        parser.error(f"échelles attendues : {', '.join(SCALES)}")
    if not Path(CHROMIUM).exists():
        print(f"Chromium absent ({CHROMIUM}) : apt-get install -y chromium")
        return 1
    from playwright.sync_api import sync_playwright

    started = time.perf_counter()
    info = _load_bench().machine()
    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        for scale in scales:
            try:
                results.append(measure_scale(browser, scale, args.seed, args.repeats))
            except Exception as exc:  # noqa: BLE001 - report and go on
                results.append({"scale": scale, "error": f"{type(exc).__name__}: {str(exc)[:200]}"})
            print(f"  {scale} : mesuré ({time.perf_counter() - started:.0f} s)", flush=True)
        browser.close()
    text = render(results, info, time.perf_counter() - started, argv if argv is not None else sys.argv[1:])
    print(text)
    (WORK / "last.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.no_write:
        DOC.write_text(text, encoding="utf-8")
        print(f"Écrit : {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
