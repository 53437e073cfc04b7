"""Locust virtual users: directors and coordinators driving the real server over its WebSocket.

    LOADTEST_ACCOUNTS=var/loadtest/accounts.json locust -f loadtest/locustfile.py \
        --host http://127.0.0.1:8501 --users 25 --spawn-rate 5      # Locust's web UI on :8089

``make loadtest`` (``scripts/loadtest.py``) runs these same users headless, step by step, and
writes docs/capacity.md. Each virtual user is one browser tab: it logs in once (its own
Streamlit session), then walks its journey again and again with think times. Directors each
take their own account (they answer their own candidatures); coordinators share the
coordinator accounts (one session each). ``LOADTEST_HOSTS`` (comma-separated) spreads the users
over several app servers, user i on host i mod n, like a sticky proxy.

Every action is reported to Locust (request type ``WS``, its name, "action sent → page
finished" in ms) and to ``SAMPLES`` for the exact percentiles of scripts/loadtest.py.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time

import gevent
from locust import User, between, events, task

from loadtest import journeys
from loadtest.client import ProtocolError, StreamlitClient
from stages.domain.vocabulary import Role

SAMPLES: list[tuple[float, str, float, str | None]] = []  # (end time, action, seconds, error)
STATE = {"logged_in": 0, "outcome": journeys.Outcome()}
_numbers = itertools.count()


def _accounts() -> dict:
    path = os.environ.get("LOADTEST_ACCOUNTS", "var/loadtest/accounts.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


ACCOUNTS = _accounts()
HOSTS = [h for h in os.environ.get("LOADTEST_HOSTS", "").split(",") if h]
TIMEOUT = float(os.environ.get("LOADTEST_TIMEOUT", "30"))


def record(name: str, seconds: float, error: str | None) -> None:
    SAMPLES.append((time.time(), name, seconds, error))
    events.request.fire(request_type="WS", name=name, response_time=seconds * 1000, response_length=0,
                        exception=ProtocolError(error) if error else None, context={})


def think(low: float, high: float) -> None:
    gevent.sleep(random.uniform(low, high))


class _StreamlitUser(User):
    abstract = True
    wait_time = between(3, 8)  # between two journeys
    role = ""

    def on_start(self) -> None:
        self.number = next(_numbers)
        self.rng = random.Random(self.number)
        host = HOSTS[self.number % len(HOSTS)] if HOSTS else self.host
        self.account = self.pick_account()
        self.client = StreamlitClient(host, timeout=TIMEOUT)
        self.logged_in = False
        self._login()

    def _login(self) -> None:
        try:
            journeys.login(self.client, self.account, record)
        except ProtocolError:
            self.client.close()
            return
        if not self.logged_in:
            STATE["logged_in"] += 1
        self.logged_in = True

    def on_stop(self) -> None:
        self.client.close()

    @task
    def walk(self) -> None:
        if self.client.ws is None:  # the last action failed: a new tab, logged in again
            self._login()
            return
        try:
            journeys.journey(self.client, self.account, record, think, self.rng, STATE["outcome"])
        except ProtocolError:
            self.client.close()


class Director(_StreamlitUser):
    weight = 4

    def pick_account(self) -> journeys.Account:
        emails = ACCOUNTS["directors"]
        return journeys.Account(Role.DIRECTOR, emails[self.number % len(emails)], ACCOUNTS["password"])


class Coordinator(_StreamlitUser):
    weight = 1

    def pick_account(self) -> journeys.Account:
        emails = ACCOUNTS["coordinators"]
        return journeys.Account(Role.COORDINATOR, emails[self.number % len(emails)], ACCOUNTS["password"])
