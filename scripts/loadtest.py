#!/usr/bin/env python3
"""Load test and sizing (a benchmark, not a test): ``make loadtest`` writes docs/capacity.md.

    python scripts/loadtest.py                                    # what `make loadtest` runs
    python scripts/loadtest.py --servers 1 --users 10 --step-seconds 20 --no-write   # a quick look

For each number of app servers (1, then 2): a fresh PostgreSQL database (``--database``,
dropped and recreated on 127.0.0.1:5432), migrated and seeded at the académie scale
(``manage.py seed-synthetic --scale academie``), then that many ``streamlit run server.py`` on
free loopback ports, each warmed up by one journey of each role. A child process runs the
Locust users of ``loadtest/locustfile.py`` (headless, Locust as a library) and raises the number
of concurrent users step by step (25, 50, 75 … 200; a configuration stops at a step with
errors or a p95 over 2 s): at each step it waits until every new user
has logged in, then measures for ``--step-seconds``: p50 and p95 of "action sent → page
finished" over every action of the window (logins apart), errors, and for each server its CPU
(from ``/proc`` through psutil, over the window) and its resident memory (the largest sample).
With two servers the users are spread over the two ports (user i on port i mod 2), as a
sticky proxy would.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This file's folder must not shadow the ``loadtest`` package of the project root.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "scripts"]
DOC = ROOT / "docs" / "capacity.md"
WORK = ROOT / "var" / "loadtest"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TARGET_P95 = 1.0
TARGET_USERS = 50


# --------------------------------------------------------------------------- database and accounts


def fresh_database(name: str) -> str:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def _manage(url: str, *args: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**os.environ, "DATABASE_URL": url},
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} : {proc.stderr.strip()[-400:]}")
    return time.perf_counter() - start


def choose_accounts(url: str) -> dict:
    """Directors with the most candidatures still to answer (each virtual director its own
    account), and the coordinators; all synthetic accounts share one password."""
    from sqlalchemy import func, select

    from db import read_session
    from db.models import Candidature, CandidatureStatus, Offer, Role, User
    from stages.config import get_settings
    from stages.domain.candidatures import effective_status_sql
    from stages.domain.timeutil import utcnow
    from stages.seed.synthetic import SYNTHETIC_PASSWORD

    departement = get_settings().departement_code  # the DSDEN this deployment serves
    with read_session(url) as session:
        pending = (
            select(User.email, func.count(Candidature.id).label("n"))
            .join(Offer, Offer.school_id == User.school_id)
            .join(Candidature, Candidature.offer_id == Offer.id)
            .where(User.role == Role.DIRECTOR, User.departement_code == departement,
                   effective_status_sql(Candidature, utcnow()).in_(CandidatureStatus.PENDING))  # still answerable
            .group_by(User.email).order_by(func.count(Candidature.id).desc(), User.email).limit(200)
        )
        directors = [(email, n) for email, n in session.execute(pending)]
        coordinators = list(session.scalars(select(User.email).where(User.role == Role.COORDINATOR,
                                                                        User.departement_code == departement)
                                            .order_by(User.id)))
    return {"directors": [e for e, _ in directors], "pending": sum(n for _, n in directors),
            "coordinators": coordinators, "password": SYNTHETIC_PASSWORD}


# --------------------------------------------------------------------------- app servers


def start_servers(n: int, url: str, logdir: Path) -> list[tuple[subprocess.Popen, str]]:
    """``n`` servers at the production bcrypt cost, started together, then each waited for."""
    from loadtest import server

    logs = [logdir / f"server{i + 1}.log" for i in range(n)]
    servers = [server.start(url, log, production_bcrypt=True) for log in logs]
    for (proc, base), log in zip(servers, logs):
        server.wait(proc, base, log)
    return servers


def stop_servers(servers) -> None:
    for proc, _base in servers:
        proc.terminate()
    for proc, _base in servers:
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def warm_up(bases: list[str], accounts: dict) -> None:
    """One journey of each role per server: imports, first queries and caches, not measured."""
    import random

    from loadtest import journeys
    from loadtest.client import StreamlitClient
    from stages.domain.vocabulary import Role

    def ignore(*_args) -> None:
        return None

    for i, base in enumerate(bases):
        for role, email in ((Role.DIRECTOR, accounts["directors"][-1 - i]), (Role.COORDINATOR, accounts["coordinators"][0])):
            client = StreamlitClient(base, timeout=60)
            account = journeys.Account(role, email, accounts["password"])
            journeys.login(client, account, ignore)
            journeys.journey(client, account, ignore, ignore, random.Random(i))
            client.close()


# --------------------------------------------------------------------------- the Locust child process


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q * (len(values) - 1)))))
    return values[k]


def run_queue_waits(pid: int) -> dict[str, float]:
    """Per thread, seconds spent ready to run but waiting for a core (``/proc/PID/task/*/schedstat``,
    second field, ns): how much the machine, not the app, held the server back."""
    out = {}
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            out[stat.parent.name] = int(stat.read_text().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            continue
    return out


def waited(before: dict[str, float], after: dict[str, float]) -> float:
    """Run-queue wait over a window: threads alive at the end, minus what they had waited at the start."""
    return sum(value - before.get(tid, 0.0) for tid, value in after.items())


def run_locust(levels: list[int], step_s: float, spawn_rate: float, pids: list[int],
               profile: str | None = None) -> dict:
    """In the child: Locust as a library, the users of loadtest/locustfile.py, step by step."""
    import gevent
    import psutil
    from locust.env import Environment

    from loadtest import locustfile as lf

    procs = [psutil.Process(pid) for pid in pids]
    me = psutil.Process()
    env = Environment(user_classes=[lf.Director, lf.Coordinator], events=lf.events)
    runner = env.create_local_runner()
    steps = []
    for users in levels:
        ramp_start = time.time()
        runner.start(users, spawn_rate=spawn_rate)
        deadline = time.time() + max(60.0, users / spawn_rate * 4)
        while time.time() < deadline and (runner.user_count < users or lf.STATE["logged_in"] < users):
            gevent.sleep(0.5)
        ramp_s = time.time() - ramp_start
        gevent.sleep(2)
        cpu0 = [p.cpu_times() for p in procs]
        wait0 = [run_queue_waits(p.pid) for p in procs]
        load0 = os.getloadavg()[0]
        me0 = me.cpu_times()
        start = time.time()
        outcome0 = dict(vars(lf.STATE["outcome"]))
        rss = [0] * len(procs)
        spy = None
        if profile:  # each step (the run may stop early): where is the first server's time spent?
            spy = subprocess.Popen([profile, "record", "--pid", str(pids[0]), "--duration", str(int(step_s)),
                                    "--rate", "50", "--nonblocking", "--format", "raw",
                                    "-o", str(WORK / f"profile-{users}.txt")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while time.time() - start < step_s:
            for i, p in enumerate(procs):
                rss[i] = max(rss[i], p.memory_info().rss)
            gevent.sleep(1)
        elapsed = time.time() - start
        if spy is not None:
            try:
                spy.wait(timeout=120)  # py-spy writes its file when its duration is over
            except subprocess.TimeoutExpired:
                spy.kill()
        cpu = [((c1.user + c1.system) - (c0.user + c0.system)) / elapsed * 100
               for c0, c1 in zip(cpu0, [p.cpu_times() for p in procs], strict=True)]
        me1 = me.cpu_times()
        waits = [waited(w0, run_queue_waits(p.pid)) / elapsed * 100 for p, w0 in zip(procs, wait0, strict=True)]
        load1 = os.getloadavg()[0]
        window = [s for s in lf.SAMPLES if start <= s[0] <= start + elapsed]
        actions = [s for s in window if not s[1].startswith("connexion")]
        ramp_logins = [s for s in lf.SAMPLES if ramp_start <= s[0] < start and s[1].startswith("connexion (envoi")]
        times = [s[2] for s in actions if not s[3]]
        per_action = {}
        for name in sorted({s[1] for s in actions}):
            t = [s[2] for s in actions if s[1] == name and not s[3]]
            per_action[name] = {"n": len(t), "p50": _pct(t, 0.5), "p95": _pct(t, 0.95)}
        outcome = {k: v - outcome0[k] for k, v in vars(lf.STATE["outcome"]).items()}
        steps.append({
            "users": users, "logged_in": lf.STATE["logged_in"], "ramp_s": round(ramp_s, 1),
            "window_s": round(elapsed, 1), "actions": len(actions), "per_s": round(len(actions) / elapsed, 2),
            "p50": _pct(times, 0.5), "p95": _pct(times, 0.95), "max": max(times) if times else None,
            "errors": sum(1 for s in window if s[3]),
            "error_examples": sorted({s[3][:160] for s in window if s[3]})[:3],
            "login_p50": _pct([s[2] for s in ramp_logins if not s[3]], 0.5),
            "login_p95": _pct([s[2] for s in ramp_logins if not s[3]], 0.95),
            "cpu_ms_per_action": round(sum(cpu) * elapsed * 10 / len(actions)) if actions else None,
            "cpu": [round(c) for c in cpu], "wait": [round(w) for w in waits],
            "load": round(max(load0, load1), 1), "rss_mb": [round(r / 1024 / 1024) for r in rss],
            "client_cpu": round(((me1.user + me1.system) - (me0.user + me0.system)) / elapsed * 100),
            "per_action": per_action, "outcome": outcome,
        })
        print(f"    {users} utilisateurs : p50 {_fmt_s(steps[-1]['p50'])}, p95 {_fmt_s(steps[-1]['p95'])}, "
              f"{steps[-1]['errors']} erreur(s), CPU {steps[-1]['cpu']} %, RSS {steps[-1]['rss_mb']} Mo",
              file=sys.stderr, flush=True)
        last = steps[-1]
        if last["errors"] or (last["p95"] or 0) > 2 * TARGET_P95:
            break  # well past what this configuration serves: the larger steps would only queue
    return {"steps": steps}


# --------------------------------------------------------------------------- profile (py-spy)

PAGE_FILES = tuple(f"({p.name}:" for p in (ROOT / "pages").glob("*.py"))  # py-spy shows pages/x.py as "x.py"
PROJECT = ("(stages/", "(app.py:", "(server.py:", *PAGE_FILES)
CATEGORIES = [  # (label, substrings of a frame), the innermost frame that matches one decides
    ("Streamlit's gc.collect(2) after each run (`runner.postScriptGC`)",
     ("ScriptRunner._on_script_finished (streamlit/runtime/scriptrunner/script_runner.py",)),
    ("the project's code (pages/, stages/, app.py)", PROJECT),
    ("SQLAlchemy", ("(sqlalchemy/",)),
    ("psycopg (PostgreSQL driver)", ("(psycopg",)),
    ("pandas / pyarrow", ("(pandas/", "(pyarrow/")),
    ("plotly", ("(plotly/", "(_plotly_utils/")),
    ("bcrypt", ("(bcrypt/",)),
    ("Streamlit (script runner, elements, protobuf, session)", ("(streamlit/", "(google/protobuf/")),
    ("uvicorn / starlette / asyncio (WebSocket, event loop)", ("(uvicorn/", "(starlette/", "(asyncio/",
                                                              "(websockets/")),
]


def summarise_profile(path: Path) -> dict | None:
    """py-spy's raw (collapsed) stacks of the busiest step: where the server's active time goes.
    ``leaf``: the library of the innermost frame (who burns the CPU); ``project``: samples with a
    frame of our code anywhere in the stack (what our pages cost, Streamlit's work for them included)."""
    if not path.exists():
        return None
    leaf: dict[str, int] = {}
    functions: dict[str, int] = {}
    project = total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        total += n
        if any(any(k in f for k in PROJECT) for f in frames):
            project += n
        label = "other (Python's standard library: threads, queues, logging)"
        for frame in reversed(frames):
            match = next((c for c, keys in CATEGORIES if any(k in frame for k in keys)), None)
            if match:
                label = match
                break
        leaf[label] = leaf.get(label, 0) + n
        ours = next((f for f in reversed(frames) if any(k in f for k in PROJECT)), None)
        if ours:
            name = re.sub(r":\d+\)$", ")", ours)
            functions[name] = functions.get(name, 0) + n
    if not total:
        return None
    top = sorted(functions.items(), key=lambda kv: -kv[1])[:8]
    return {"samples": total, "project_share": round(project / total * 100),
            "leaf": {k: round(v / total * 100) for k, v in sorted(leaf.items(), key=lambda kv: -kv[1])},
            "top_project": [(k, round(v / total * 100)) for k, v in top]}


# --------------------------------------------------------------------------- orchestration


def _fmt_s(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms"


def run_config(n_servers: int, args, logdir: Path) -> dict:
    url = fresh_database(args.database)
    _manage(url, "init-db")
    # Two batches (seeds 1 and 2): twice the candidatures waiting for an answer, so that the larger steps
    # still find some to answer (with one batch the two-server run had answered them all by 150 users,
    # and its last steps were mostly cheap « rafraîchir la boîte » actions).
    seed_s = sum(_manage(url, "seed-synthetic", "--scale", args.scale, "--seed", seed, "--quiet") for seed in ("1", "2"))
    accounts = choose_accounts(url)
    accounts_file = logdir / "accounts.json"
    accounts_file.write_text(json.dumps(accounts), encoding="utf-8")
    print(f"  {n_servers} serveur(s) : base {args.scale} générée en {seed_s:.1f} s, "
          f"{len(accounts['directors'])} directeurs ({accounts['pending']} candidatures à traiter)", flush=True)
    for old in WORK.glob("profile-*.txt"):
        old.unlink()
    servers = start_servers(n_servers, url, logdir)
    try:
        bases = [base for _proc, base in servers]
        warm_up(bases, accounts)
        env = {**os.environ, "LOADTEST_ACCOUNTS": str(accounts_file), "LOADTEST_HOSTS": ",".join(bases),
               "PYTHONPATH": str(ROOT)}
        proc = subprocess.run(
            [sys.executable, __file__, "--_locust", "--users", args.users, "--step-seconds", str(args.step_seconds),
             "--spawn-rate", str(args.spawn_rate), "--_pids", ",".join(str(p.pid) for p, _b in servers),
             *(["--_profile", args.profile] if args.profile and n_servers == 1 else [])],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"le générateur de charge a échoué (code {proc.returncode})")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        stop_servers(servers)
    if args.profile and n_servers == 1 and result.get("steps"):  # the largest step measured
        result["profile"] = summarise_profile(WORK / f"profile-{result['steps'][-1]['users']}.txt")
    result.update(servers=n_servers, seed_s=round(seed_s, 1), directors=len(accounts["directors"]),
                  pending=accounts["pending"])
    return result


def users_label(step: dict) -> str:
    """The step's users, and how many had logged in when its window started, if not all."""
    if step["logged_in"] >= step["users"]:
        return str(step["users"])
    return f"{step['users']} ({step['logged_in']} logged in)"


def _fmt_ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


def cpu_estimate(result: dict) -> tuple[float, float, float] | None:
    """From the CPU an action costs the server (summed over servers, median over the steps) and the
    actions a user sends per second: the users one core serves with 30 % headroom. The CPU an action
    costs does not depend much on other processes' load, unlike the latencies of a shared machine."""
    steps = [s for s in result.get("steps", []) if s.get("cpu_ms_per_action") and s["actions"]]
    if not steps:
        return None
    cost = statistics.median(s["cpu_ms_per_action"] for s in steps)
    rate = statistics.median(s["per_s"] / s["users"] for s in steps)
    return cost, rate, 0.7 * 1000 / (cost * rate)


def capacity(result: dict) -> tuple[float, bool]:
    """The users a configuration serves at p95 ≤ 1 s with no error, and whether that is a bound reached.

    Between the last step held and the next one (p95 above 1 s, no error) the p95 is taken as linear in
    the users, so the figure is where it crosses 1 s; a step with errors, or a first step already over,
    gives the last step held. ``(n, False)``: every step was held, ``n`` is the largest (a lower bound)."""
    held = None
    for step in sorted(result["steps"], key=lambda s: s["users"]):
        if step["p95"] is not None and step["p95"] <= TARGET_P95 and not step["errors"]:
            held = step
            continue
        if held is None:
            return 0.0, True
        if step["errors"] or step["p95"] is None or step["p95"] <= held["p95"]:
            return float(held["users"]), True
        share = (TARGET_P95 - held["p95"]) / (step["p95"] - held["p95"])
        return held["users"] + share * (step["users"] - held["users"]), True
    return (float(held["users"]) if held else 0.0), False


def _fmt_capacity(result: dict) -> str:
    users, reached = capacity(result)
    return f"{users:.0f}" if reached else f"≥ {users:.0f}"


def _machine_note(info: dict) -> str:
    """Whether other work shared the cores: the 1-minute load average when the run began (a quiet
    2-core machine reads below 1), and the load column of each step."""
    start = info.get("load_start")
    common = ("The load generator, PostgreSQL and the app servers share the same cores (columns \"client CPU\" "
              "and \"load avg.\").")
    if start is not None and start < 1.5:
        return f"Nothing else ran (load average {start:.2f} when the run began). " + common
    shown = f" (load average {start:.2f} when the run began)" if start is not None else ""
    return (f"**The machine was shared**{shown}: other processes used the same cores during the run, so the "
            "figures are noisy and pessimistic; run it again on a quiet host before sizing a real deployment. "
            + common)


def render(results: list[dict], info: dict, total_s: float, argv: list[str], args) -> str:
    out = [
        "# Capacity",
        "",
        f"Measured on {info['date']} by `python scripts/loadtest.py {' '.join(argv)}` in {total_s / 60:.1f} min.",
        "",
        f"Machine: {info['nproc']} CPU ({info['cpu']}), {info['ram_gb']} GB RAM; Python {info['python']}, "
        f"Streamlit {info['streamlit']}, PostgreSQL {info['postgresql']}. " + _machine_note(info),
        "",
        f"Data: `seed-synthetic --scale {args.scale}` twice (seeds 1 and 2: two batches of offers, students and "
        "candidatures) on PostgreSQL (the écoles of the académie de Dijon, four départements), regenerated for "
        "each configuration; the users are the DSDEN 71's directors with the most candidatures to answer. Users: Locust virtual users "
        "(`loadtest/locustfile.py`) speaking Streamlit's WebSocket protocol without a browser, 4 directors "
        "for 1 coordinator. A director: their space, the \"Candidatures\" tab, open a candidature, then "
        "accept (40 %), refuse with a reason (40 %) or close it; a coordinator: the dashboard, a filter "
        "on one or two circonscriptions, another table, one of its pages, the filter removed. Think times: "
        "1 to 8 s between actions (reading a motivation 3 to 8 s) and 3 to 8 s between journeys. Every "
        "user logs in once (bcrypt cost 12), before its step is measured.",
        "",
        f"Each step: the users are raised to the given number, every new user logs in, then "
        f"{args.step_seconds:.0f} s are measured. Time = \"action sent → page finished\" (the BackMsg sent "
        "to the `script_finished` that ends the run, after any `st.rerun`), over every action of the window "
        "(logins apart). Errors: an action that timed out (30 s), lost its connection, or drew an exception "
        "or the app's generic error message. CPU: each server process's CPU time over the window (100 % = one "
        "core); waiting for a core: the time its threads were ready to run but waited for a CPU "
        "(`/proc/PID/task/*/schedstat`, over the window; 100 % = one thread waiting all the time), the share of "
        "the latency the machine, not the app, is responsible for; load avg.: the machine's 1-minute load "
        "average (2 cores); RSS: its largest resident memory in the window.",
        "",
    ]
    for r in results:
        if "error" in r:
            out += [f"## {r['servers']} app server(s)", "", f"Not measured: {r['error']}", ""]
            continue
        out += [
            f"## {r['servers']} app server(s)",
            "",
            f"Generation {r['seed_s']} s · {r['directors']} director accounts "
            f"({r['pending']} candidatures to answer)",
            "",
            "| users | actions/s | p50 | p95 | max | errors | server CPU per action | CPU per server | waiting for a core | RSS per server "
            "| client CPU | load avg. | login p50 / p95 | answers (accepted / refused / refused by the service) |",
            "|---:|---:|---:|---:|---:|---:|---:|---|---|---|---:|---:|---|---|",
        ]
        for s in r["steps"]:
            o = s["outcome"]
            out.append(
                f"| {users_label(s)} | {s['per_s']} | {_fmt_s(s['p50'])} | {_fmt_s(s['p95'])} | {_fmt_s(s['max'])} "
                f"| {s['errors']} | {_fmt_ms(s.get('cpu_ms_per_action'))} | {' / '.join(f'{c} %' for c in s['cpu'])} "
                f"| {' / '.join(f'{w} %' if w >= 0 else '—' for w in s['wait'])} "
                f"| {' / '.join(f'{m} MB' for m in s['rss_mb'])} | {s['client_cpu']} % | {s['load']} "
                f"| {_fmt_s(s['login_p50'])} / {_fmt_s(s['login_p95'])} "
                f"| {o['accepted']} / {o['refused']} / {o['answer_refused']} |"
            )
        out.append("")
        last = r["steps"][-1] if r["steps"] else None
        if last:
            out += ["p50 / p95 per action at the largest step:", "", "| action | n | p50 | p95 |",
                    "|---|---:|---:|---:|"]
            for name, a in last["per_action"].items():
                out.append(f"| {name} | {a['n']} | {_fmt_s(a['p50'])} | {_fmt_s(a['p95'])} |")
            out.append("")
        examples = sorted({e for s in r["steps"] for e in s["error_examples"]})
        if examples:
            out += ["Errors seen: " + "; ".join(f"`{e}`" for e in examples[:5]), ""]
    out += profile_section(results)
    out += sizing(results)
    return "\n".join(out) + "\n"


def profile_section(results: list[dict]) -> list[str]:
    one = next((r for r in results if r.get("servers") == 1 and "error" not in r), None)
    prof = one.get("profile") if one else None
    if not prof:
        return ["## Profile", "", "No profile in this run (py-spy not on the PATH, or it did not finish within the "
                "step; `pip install py-spy`, then `--profile $(which py-spy)`). The README gives the last one taken.",
                ""]
    last = one["steps"][-1]
    out = ["## Profile of one server at the largest step", "",
           f"py-spy (`record --rate 50 --nonblocking`) on the single server during the {last['users']}-user step: "
           f"{prof['samples']} samples of its active threads. By the library of the innermost frame (where the "
           "CPU is burnt):", "", "| innermost frame in | share |", "|---|---:|"]
    out += [f"| {k} | {v} % |" for k, v in prof["leaf"].items()]
    out += ["", f"Samples with a frame of the project's code anywhere in the stack: {prof['project_share']} % "
            "(our pages and services, with the Streamlit, SQLAlchemy and pandas work they call). Our innermost "
            "functions in those stacks:", "", "| function | share of samples |", "|---|---:|"]
    out += [f"| `{k}` | {v} % |" for k, v in prof["top_project"]]
    return out + [""]


def limits(results: list[dict]) -> list[str]:
    """What held the latency back at each configuration's largest measured step, from the figures."""
    out = []
    for r in results:
        if "error" in r:
            continue
        measured = [s for s in r["steps"] if s["actions"]]
        if not measured:
            continue
        s = measured[-1]
        cpu, wait = sum(s["cpu"]), sum(s["wait"])
        if any(w < 0 for w in s["wait"]):  # a run of an older version of this script (threads ended)
            continue
        cores = os.cpu_count() or 1
        if wait > cpu or (s["load"] >= cores and 2 * wait >= cpu):
            why = (f"the servers ran {cpu} % of CPU and their threads waited {wait} % of a core for a CPU "
                   f"(load average {s['load']} on {cores} cores, the load generator {s['client_cpu']} %): the "
                   "machine's cores, shared by the servers, PostgreSQL and the load generator, are the limit")
        elif cpu >= 80 * len(s["cpu"]) or (len(s["cpu"]) == 1 and cpu >= 60):
            why = (f"the server ran {cpu} % of a core" if len(s["cpu"]) == 1 else f"the servers ran {cpu} % of CPU") + (
                ": each app server's core is the limit (one Python process runs one script at a time under its "
                "GIL, so the runs queue well before 100 %; see the profile)")
        else:
            why = (f"the servers ran {cpu} % of CPU and waited {wait} % for a core: neither saturated, the wait "
                   "is elsewhere (database, network)")
        out.append(f"- {r['servers']} server(s), {s['users']} users: {why}.")
        stuck = [x for x in r["steps"] if x["logged_in"] < x["users"]]
        if stuck:
            out.append(f"  At {stuck[0]['users']} users only {stuck[0]['logged_in']} had logged in when the window "
                       "opened: logins (bcrypt, cost 12) were still queued, and the actions of the window timed out "
                       "behind them.")
    return (["**What limits it** (measured):", "", *out, ""]) if out else []


def sizing(results: list[dict]) -> list[str]:
    by = {r["servers"]: r for r in results if "error" not in r}
    lines = ["## Targets and sizing", "", "| target | figure | met |", "|---|---|---|"]
    one, two = by.get(1), by.get(2)
    for r, label in ((one, "one server"), (two, "two servers")):
        step = next((s for s in r["steps"] if s["users"] == TARGET_USERS), None) if r else None
        if step:
            met = step["p95"] is not None and step["p95"] <= TARGET_P95 and not step["errors"]
            lines.append(f"| {TARGET_USERS} users on {label}, p95 ≤ 1 s and 0 errors | p95 {_fmt_s(step['p95'])}, "
                         f"{step['errors']} error(s) | {'yes' if met else 'no'} |")
    if one and two:
        (c1, _), (c2, reached2) = capacity(one), capacity(two)
        ratio = (c2 / c1) if c1 else None
        shown = "" if ratio is None else f" ({'' if reached2 else 'at least '}{ratio:.2f}×)"
        lines.append(f"| two servers ≥ 1.6× the users of one at p95 ≤ 1 s | {_fmt_capacity(one)} → {_fmt_capacity(two)} "
                     f"users{shown} | {'yes' if ratio and ratio >= 1.6 else 'no'} |")
    lines.append("")
    lines += limits(results)
    est = cpu_estimate(one) if one else None
    if est:
        cost, rate, users = est
        lines += [
            f"**CPU cost**: an action costs the server {cost:.0f} ms of CPU (median over the steps, login apart) "
            f"and a user of this journey sends {rate:.3f} actions per second (one every {1 / rate:.1f} s), so one "
            f"core busy at 70 % serves about **{users:.0f} active users**: the sizing to expect on a quiet host, "
            "where one app server can have a core to itself.",
            "",
        ]
    if one:
        lines += [
            "**Sizing rule** (users at p95 ≤ 1 s with no error: where the p95 crosses 1 s between two steps, "
            "taking it as linear in the users between them; \"≥\" when no step went over): "
            f"**one app server per {_fmt_capacity(one)} active users** on this machine"
            + (f"; two servers held {_fmt_capacity(two)}." if two else ".")
            + " An app server runs its sessions' scripts under one Python interpreter, so it uses about "
            "one core at most: give each app server its own core (plus one for PostgreSQL and nginx) and count "
            "\"active users\" as people clicking with a few seconds between clicks, as above — people who "
            "only keep a tab open cost memory (see RSS), not CPU.",
            "",
        ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Test de charge et dimensionnement (écrit docs/capacity.md).")
    parser.add_argument("--servers", default="1,2", help="nombres de serveurs d'application, ex. 1,2")
    parser.add_argument("--users", default="25,50,75,100,125,150,175,200", help="paliers d'utilisateurs simultanés")
    parser.add_argument("--step-seconds", type=float, default=20.0, help="durée mesurée de chaque palier")
    parser.add_argument("--spawn-rate", type=float, default=10.0, help="nouveaux utilisateurs par seconde")
    parser.add_argument("--scale", default="academie", choices=("dsden", "academie", "national"))
    parser.add_argument("--database", default=os.environ.get("LOADTEST_DATABASE", "loadtest"),
                        help="base PostgreSQL (supprimée et recréée) sur 127.0.0.1:5432")
    parser.add_argument("--no-write", action="store_true", help="afficher sans écrire docs/capacity.md")
    parser.add_argument("--_locust", action="store_true", help=argparse.SUPPRESS)
    venv_spy = Path(sys.executable).parent / "py-spy"  # `pip install py-spy` in the venv (not a dependency)
    parser.add_argument("--profile", default=shutil.which("py-spy") or (str(venv_spy) if venv_spy.exists() else ""),
                        help="py-spy (chemin) : profil du serveur seul au plus grand palier (défaut : py-spy du PATH)")
    parser.add_argument("--render-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--_pids", help=argparse.SUPPRESS)
    parser.add_argument("--_profile", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    levels = [int(u) for u in args.users.split(",") if u]
    if args.render_only:  # the tables again from the last run's figures (after editing this report)
        last = json.loads((WORK / "last.json").read_text(encoding="utf-8"))
        DOC.write_text(render(last["results"], last["info"], last["total_s"], last["argv"], args), encoding="utf-8")
        print(f"Écrit : {DOC.relative_to(ROOT)}")
        return 0
    if args._locust:
        result = run_locust(levels, args.step_seconds, args.spawn_rate, [int(p) for p in args._pids.split(",")],
                            args._profile)
        print(json.dumps(result), flush=True)
        sys.stderr.flush()
        os._exit(0)  # the users' sockets: the servers are stopped next, no need to wait for each close

    import importlib.util

    spec = importlib.util.spec_from_file_location("bench", ROOT / "scripts" / "bench.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    machine = bench.machine

    started = time.perf_counter()
    info = machine()
    info["load_start"] = os.getloadavg()[0]
    if info["postgresql"].startswith("indisponible"):
        print(f"PostgreSQL {info['postgresql']} : le test de charge a besoin de PostgreSQL sur 127.0.0.1:5432")
        return 1
    print(f"Machine : {info['nproc']} CPU, {info['ram_gb']} Go — PostgreSQL {info['postgresql']}", flush=True)
    WORK.mkdir(parents=True, exist_ok=True)
    results = []
    for n in [int(s) for s in args.servers.split(",") if s]:
        logdir = Path(tempfile.mkdtemp(prefix=f"{n}srv-", dir=WORK))
        try:
            results.append(run_config(n, args, logdir))
        except Exception as exc:  # noqa: BLE001 - report and go on
            results.append({"servers": n, "error": str(exc)})
            print(f"  {n} serveur(s) : {exc}", flush=True)
    total_s = time.perf_counter() - started
    argv = argv if argv is not None else sys.argv[1:]
    (WORK / "last.json").write_text(json.dumps({"results": results, "info": info, "total_s": total_s, "argv": argv}),
                                    encoding="utf-8")
    text = render(results, info, total_s, argv, args)
    print()
    print(text)
    if not args.no_write:
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(text, encoding="utf-8")
        print(f"Écrit : {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
