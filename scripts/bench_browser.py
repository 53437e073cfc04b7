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
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
WORK = ROOT / "var" / "bench-browser"
DOC = ROOT / "docs" / "browser-benchmarks.md"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCALES = ("dsden", "academie", "national")
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
RUNNING = '[data-testid="stApp"][data-test-script-state="running"]'
STATIC = "Conditions d'utilisation"
PARTIAL: list[str] = []  # what failed after some measures were taken
ACT_TIMEOUT_MS = 45_000  # a shared machine can be very slow; a real failure still ends
# Targets of the issue: ratio to the static page of the same session.
TARGETS = {"director": 1.2, "dashboard": 1.5}
PROFILE_REPEATS = 3  # openings of each page under the CPU profiler (where_time_goes)

LAST_CYCLE = """() => {
  const e = performance.getEntriesByName('script-run-cycle');
  return e.length ? [e.length, e[e.length - 1].duration] : [0, null];
}"""
# Resolves (with the page clock) once the text is on screen and the app is idle again.
DONE_WHEN = """([text, count, seen]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const texts = text === null ? [] : [].concat(text);  // one text, or any of several
  if (texts.length && !texts.some(t => document.body.innerText.includes(t))) return false;
  const e = performance.getEntriesByName('script-run-cycle');
  // A text absent before the click and shown now proves the run, even one drawn in a single render
  // (no script-run-cycle written then, see Session.nav).
  if (e.length <= count && (seen || !texts.length)) return false;
  return [performance.now(), e.length > count ? e[e.length - 1].duration : null];
}"""
SEEN = """(text) => [].concat(text).some(t => document.body.innerText.includes(t))"""
# Counts the WebSocket messages the page receives (each a ForwardMsg: an element, a block, the run's start
# and end...) and their bytes, to say how much a run sends the browser.
COUNT_MESSAGES = """(() => {
  const Native = window.WebSocket;
  window.__stagesMessages = [0, 0];
  function Counted(...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', e => {
      window.__stagesMessages[0] += 1;
      window.__stagesMessages[1] += e.data.byteLength || e.data.size || e.data.length || 0;
    });
    return ws;
  }
  Counted.prototype = Native.prototype;
  Object.assign(Counted, Native);
  window.WebSocket = Counted;
})();"""
# Where the browser's main thread spends a run, by the Streamlit frontend's file (CDP CPU profile): the
# first group whose key is in the frame's script URL or function name wins; the rest is "autre JavaScript".
PROFILE_GROUPS = [
    ("moteur du navigateur (styles, mise en page, dessin)", ("(program)",)),
    ("ramasse-miettes", ("(garbage collector)",)),
    ("graphique Plotly", ("PlotlyChart", "plotly")),
    ("tableaux (st.dataframe)", ("DataFrame", "glide")),
    ("Markdown (libellés, textes)", ("StreamlitMarkdown",)),
    ("React", ("react-dom",)),
    ("styles CSS-in-JS (emotion)", ("emotion", "styled-components")),
    ("protobuf (messages du serveur)", ("protobuf",)),
]


# Resolves to [page clock, the new script-run-cycle or null] once the page of ``path`` is shown.
NAV_DONE = """([path, title, count]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (location.pathname.replace(/\\/$/, '') !== path) return false;
  const re = new RegExp(title);
  const titles = [...document.querySelectorAll('[data-testid="stMain"] h1')].map(h => h.innerText.trim());
  if (!titles.some(t => re.test(t))) return false;
  const e = performance.getEntriesByName('script-run-cycle');
  return [performance.now(), e.length > count ? e[e.length - 1].duration : null];
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
        self.context.set_default_timeout(60_000)
        self.context.add_init_script(COUNT_MESSAGES)
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
        seen = text is not None and self.page.evaluate(SEEN, text)
        t0 = self.page.evaluate("performance.now()")
        do()
        t1, cycle = self.page.wait_for_function(DONE_WHEN, arg=[text, count, seen], polling="raf",
                                                timeout=ACT_TIMEOUT_MS).json_value()
        self.page.wait_for_selector(IDLE)
        return t1 - t0, cycle

    def login(self, email: str, password: str) -> None:
        self.page.goto(f"{self.base}/connexion")
        self.page.wait_for_selector(IDLE)
        self.page.get_by_role("textbox", name="Adresse électronique").fill(email)
        self.page.get_by_role("textbox", name="Mot de passe", exact=True).fill(password)
        self.act(lambda: self.page.get_by_role("button", name="Se connecter").click(), "Connecté")

    def nav(self, name) -> tuple[float, float | None] | None:
        """Open a page by its sidebar link; returns (click → page shown and idle in ms, its
        script-run-cycle in ms or None), or None (nothing to time) when it is already the page shown:
        a click on the current page's link starts no run.

        The page counts as shown when the address is the link's, the page's title (``h1``) is on
        screen and the app is idle. A fast run (the static page: all its messages arrive within a few
        ms) can be drawn by React in one render: ``data-test-script-state`` never reads "running" and
        the frontend writes no ``script-run-cycle`` for it; waiting for a new measure then never ended
        (the coordinator's first click on the static page after the dashboard). Such a run has no
        script-run-cycle (None, counted in the report), its click → shown time is still taken."""
        link = self.page.locator(".st-key-menu").get_by_role("link", name=name).first
        # The menu's links are relative to the app's root ("" for the default page).
        href = urljoin(self.base + "/", link.get_attribute("href") or "")
        path = urlsplit(href).path.rstrip("/")
        if path == urlsplit(self.page.url).path.rstrip("/"):
            return None
        title = name.pattern if isinstance(name, re.Pattern) else "^" + re.escape(name) + "$"
        count = self.cycles()
        t0 = self.page.evaluate("performance.now()")
        link.click()
        done = self.page.wait_for_function(NAV_DONE, arg=[path, title, count], polling="raf",
                                           timeout=ACT_TIMEOUT_MS).json_value()
        return done[0] - t0, done[1]


def _median(values: list[float | None]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 1) if values else None


def pages_against_static(session: Session, pages: dict[str, object], repeats: int) -> dict:
    """Alternate static page / each page; medians of script-run-cycle per page and for the static page,
    the click → shown medians (``<key>_click``) and how many runs had no script-run-cycle (``<key>_missed``)."""
    static, measured = [], {key: [] for key in pages}
    session.nav(STATIC)  # warm-up of the static page, and away from the page the login landed on
    for name in pages.values():  # warm-up of each page (imports, first queries)
        session.nav(name)
    for _ in range(repeats):
        for key, name in pages.items():
            static.append(session.nav(STATIC))
            measured[key].append(session.nav(name))
    out = {}
    for key, values in (("static", static), *measured.items()):
        values = [v for v in values if v is not None]
        out[key] = _median([c for _, c in values])
        out[f"{key}_click"] = _median([t for t, _ in values])
        out[f"{key}_missed"] = sum(1 for _, c in values if c is None)
    return out


def where_time_goes(session: Session, pages: dict[str, object], repeats: int) -> dict:
    """For each page (opened from the static page, ``repeats`` times): the messages a run sends the browser
    and their size, and the browser's main thread busy time by group (CDP CPU profile, sampled every
    0.2 ms, idle apart), per opening. Not timed with the measures above (the profiler slows the page)."""
    cdp = session.context.new_cdp_session(session.page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})
    out = {}
    for key, name in pages.items():
        groups: dict[str, float] = {}
        messages = []
        for _ in range(repeats):
            session.nav(STATIC if name != STATIC else re.compile("Espace de|Tableau de bord"))
            before = session.page.evaluate("window.__stagesMessages || [0, 0]")
            cdp.send("Profiler.start")
            session.nav(name)
            profile = cdp.send("Profiler.stop")["profile"]
            after = session.page.evaluate("window.__stagesMessages || [0, 0]")
            messages.append((after[0] - before[0], after[1] - before[1]))
            nodes = {n["id"]: n["callFrame"] for n in profile["nodes"]}
            for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
                frame = nodes[sample]
                where = f"{frame['functionName']} {frame['url']}"
                if frame["functionName"] == "(idle)":
                    continue
                group = next((g for g, keys in PROFILE_GROUPS if any(k in where for k in keys)), "autre JavaScript")
                groups[group] = groups.get(group, 0.0) + delta / 1000
        out[key] = {"messages": _median([m for m, _ in messages]), "kb": _median([b / 1024 for _, b in messages]),
                    "busy_ms": round(sum(groups.values()) / repeats, 1),
                    "groups": {g: round(v / repeats, 1) for g, v in sorted(groups.items(), key=lambda kv: -kv[1])}}
    cdp.send("Profiler.disable")
    return out


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
            offers.click()  # not timed; its run may be drawn in one render (no new script-run-cycle)
            page.wait_for_function("""() => [...document.querySelectorAll('[role="tab"]')].some(t =>
                t.innerText.trim() === 'Offres de stage' && t.getAttribute('aria-selected') === 'true')""")
            try:
                page.wait_for_selector(RUNNING, timeout=1_000)
            except Exception:  # noqa: BLE001 - the run may be over already
                pass
            page.wait_for_selector(IDLE)
        out["tab"].append(session.act(lambda tab=tab: tab.click(), "Délai de réponse aux élèves"))
        rows = page.get_by_role("button", name="Ouvrir", exact=True)
        if rows.count() == 0:
            break
        out["open"].append(session.act(lambda: rows.first.click(), "Message de motivation"))
        if i % 2 == 0:
            # "Accepter" asks for a confirmation (not timed: a question); the answer is the confirmation.
            session.act(lambda: page.get_by_role("button", name="Accepter", exact=True).click(),
                        "Confirmer l'acceptation")
            out["accept"].append(session.act(
                lambda: page.get_by_role("button", name="Confirmer l'acceptation", exact=True).click(),
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
    session.nav("Tableau de bord")  # the pages' part ended on the dashboard, or failed elsewhere
    circs = page.get_by_test_id("stMultiSelect").filter(has_text="Circonscriptions")
    for _ in range(repeats):
        for label in ("Couverture", "Offres et places"):
            button = page.locator('[data-testid="stButtonGroup"] button', has_text=label).first
            out["chart"].append(session.act(lambda button=button: button.click()))
        circs.locator("input").click()
        # one circonscription: Streamlit's list starts with "Select all" (that would filter nothing)
        option = page.get_by_role("option").filter(has_not_text="Select all").first
        out["filter"].append(session.act(lambda option=option: option.click()))
        page.keyboard.press("Escape")
        # back to all circonscriptions: Backspace in the field removes the chosen one
        session.act(lambda: (circs.locator("input").click(), page.keyboard.press("Backspace")))
        page.keyboard.press("Escape")
    return {**{key: _median([c for _, c in v]) for key, v in out.items()},
            **{f"{key}_click": _median([t for t, _ in v]) for key, v in out.items()}}


def measure_scale(browser, scale: str, seed: int, repeats: int) -> dict:
    url, seed_s = prepare(scale, seed)
    acc = accounts(url)
    proc, base = start_server(url, WORK / f"{scale}.log")
    result: dict = {"scale": scale, "seed_s": round(seed_s, 1), "candidatures": acc["candidatures"]}
    problems = result["problems"] = []

    def attempt(label, fn, default):
        print(f"  {scale} : {label}…", file=sys.stderr, flush=True)
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
        result["director_profile"] = attempt("profil de l'espace directeur", lambda: where_time_goes(
            director, {"static": STATIC, "director_space": re.compile("Espace de")}, PROFILE_REPEATS), {})
        director.close()
        coordinator = Session(browser, base)
        coordinator.login(acc["coordinator"], acc["password"])
        result["dashboard_pages"] = attempt("tableau de bord", lambda: pages_against_static(
            coordinator, {"dashboard": "Tableau de bord"}, repeats), {"static": None, "dashboard": None})
        result["dashboard_actions"] = attempt("filtres du tableau de bord", lambda: dashboard_filter(coordinator, repeats),
                                              {})
        result["dashboard_profile"] = attempt("profil du tableau de bord", lambda: where_time_goes(
            coordinator, {"static": STATIC, "dashboard": "Tableau de bord"}, PROFILE_REPEATS), {})
        coordinator.close()
        problems.extend(PARTIAL)
        PARTIAL.clear()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    return result


# --------------------------------------------------------------------------- report


def _load() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


def _missed(values: dict, key: str, short: bool = False) -> str:
    """How many runs of a page had no script-run-cycle (drawn in one render, see Session.nav)."""
    n = values.get(f"{key}_missed") or 0
    return "" if not n else (f" ({n} sans mesure)" if short else f", {n} sans script-run-cycle")


def _clicks(values: dict, key: str) -> str:
    """Click → shown of a page, of the static page, and their ratio."""
    page, static = values.get(f"{key}_click"), values.get("static_click")
    ratio = f", {page / static:.2f}×" if page is not None and static else ""
    return f"{_fmt(page)} (page statique : {_fmt(static)}{ratio})"


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
        "same session (the ratio), not absolute times between runs. "
        f"Load average (1, 5, 15 min) at the start: {info['load_start']}; at the end: {info['load_end']} "
        f"(above {info['nproc']}, processes were waiting for a CPU).",
        "",
        "`script-run-cycle`: Streamlit's own measure in the page, from the frontend's \"running\" mark to its "
        "\"notRunning\" mark (the script's run as the browser sees it, rendering of the deltas included); "
        "median over the repeats. Each page is opened by a click on its link in the sidebar, alternating with "
        f"the static page \"{STATIC}\" (same session). Director's actions: click → updated page on screen "
        "(the expected text shown and the app idle again, timed with the page's clock), and the action's last "
        "`script-run-cycle` (after `st.rerun`, the run that draws the updated inbox). Pages: click → the page's "
        "title on screen at its address and the app idle (page clock) in the last column. A very fast run "
        "(the static page) can reach the browser all at once and be drawn in one render: the frontend then "
        "writes no `script-run-cycle` (it never shows \"running\"); such runs are counted as \"sans mesure\" "
        "and left out of the medians of that column (the click → shown times and their ratio are kept).",
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
        dp = r["director_pages"]
        out.append(f"| {r['scale']} | Espace directeur (page{_missed(dp, 'director_space')}) | "
                   f"{_fmt(dp['director_space'])} | {_fmt(static)}{_missed(dp, 'static', True)} | {ratio} | ≤ 1.2× "
                   f"| {met} | {_clicks(dp, 'director_space')} |")
        for key, label in (("tab", "onglet « Candidatures »"), ("open", "ouvrir une candidature"),
                           ("accept", "accepter"), ("refuse", "refuser")):
            a = r["director_actions"][key]
            ratio, met = _ratio(a["cycle_ms"], static, TARGETS["director"])
            out.append(f"| {r['scale']} | directeur : {label} (n={a['n']}) | {_fmt(a['cycle_ms'])} | {_fmt(static)} "
                       f"| {ratio} | ≤ 1.2× | {met} | {_fmt(a['click_ms'])} |")
        dstatic = r["dashboard_pages"]["static"]
        ratio, met = _ratio(r["dashboard_pages"]["dashboard"], dstatic, TARGETS["dashboard"])
        pp = r["dashboard_pages"]
        out.append(f"| {r['scale']} | Tableau de bord (page{_missed(pp, 'dashboard')}) | {_fmt(pp['dashboard'])} "
                   f"| {_fmt(dstatic)}{_missed(pp, 'static', True)} | {ratio} | ≤ 1.5× | {met} "
                   f"| {_clicks(pp, 'dashboard')} |")
        actions = r.get("dashboard_actions", {})
        if "error" in actions:
            out.append(f"| {r['scale']} | tableau de bord : filtres non mesurés ({actions['error']}) | | | | | | |")
        else:
            for key, label in (("chart", "choix du graphique"), ("filter", "filtre circonscription")):
                ratio, met = _ratio(actions.get(key), dstatic, TARGETS["dashboard"])
                out.append(f"| {r['scale']} | tableau de bord : {label} | {_fmt(actions.get(key))} | {_fmt(dstatic)} "
                           f"| {ratio} | ≤ 1.5× | {met} | {_fmt(actions.get(f'{key}_click'))} |")
    out.append("")
    out += profile_section(results)
    for r in results:
        for problem in r.get("problems", []):
            out.append(f"- {r['scale']}, not measured: {problem}")
    out.append("")
    return "\n".join(out) + "\n"


PROFILED = (("director_profile", "static", "Conditions d'utilisation (directeur)"),
            ("director_profile", "director_space", "Espace directeur"),
            ("dashboard_profile", "static", "Conditions d'utilisation (coordinateur)"),
            ("dashboard_profile", "dashboard", "Tableau de bord"))


def profile_section(results: list[dict]) -> list[str]:
    """Where an opening's time goes in the browser: messages received, main thread busy time by group."""
    groups = [g for g, _ in PROFILE_GROUPS] + ["autre JavaScript"]
    rows = []
    for r in results:
        for part, key, label in PROFILED:
            p = (r.get(part) or {}).get(key)
            if p:
                cells = " | ".join(f"{p['groups'].get(g, 0):.0f}" for g in groups)
                rows.append(f"| {r['scale']} | {label} | {_fmt(p['messages'])} | {p['kb']:.0f} | {p['busy_ms']:.0f} "
                            f"| {cells} |")
    if not rows:
        return []
    return [
        "## Where the time goes, in the browser",
        "",
        f"Each page opened {PROFILE_REPEATS} times from the static page under Chromium's CPU profiler (CDP "
        "`Profiler`, a sample every 0.2 ms; these openings are not among the timed ones above). Messages: the "
        "WebSocket messages the run sends the page (a message per element or block drawn, plus the run's start "
        "and end; median), and their size. Busy: the browser's main thread (JavaScript, styles, layout, paint) "
        "per opening, idle apart, split by the Streamlit frontend's file the time is spent in (ms per opening). "
        "The server's own time for these pages is in docs/benchmarks.md (AppTest).",
        "",
        "| scale | page | messages | KB | busy (ms) | " + " | ".join(groups) + " |",
        "|---|---|---:|---:|---:|" + "---:|" * len(groups),
        *rows,
        "",
    ]


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
    info = {**_load_bench().machine(), "load_start": _load()}
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
    info["load_end"] = _load()
    text = render(results, info, time.perf_counter() - started, argv if argv is not None else sys.argv[1:])
    print(text)
    (WORK / "last.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    if not args.no_write:
        DOC.write_text(text, encoding="utf-8")
        print(f"Écrit : {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
