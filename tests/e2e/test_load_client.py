"""The load test's client (loadtest/) still speaks Streamlit's protocol: it logs in and completes
one journey of each role against the live server (not timed: `make loadtest` measures)."""

from __future__ import annotations

import random

from loadtest import journeys
from loadtest.client import StreamlitClient
from stages.domain.vocabulary import CandidatureStatus, Role

DEMO_PASSWORD = "Stage2de-Demo!"


def _no_think(_low: float, _high: float) -> None:
    return None


def _statuses(live_server) -> dict[int, str]:
    out = live_server.python(
        "from sqlalchemy import select\n"
        "from db import read_session\n"
        "from db.models import Candidature\n"
        "with read_session() as s:\n"
        "    print(dict(s.execute(select(Candidature.id, Candidature.status)).all()))\n"
    )
    return eval(out.strip())  # noqa: S307 - our own subprocess's repr of a dict of ints and strings


def test_director_journey_answers_a_candidature(live_server):
    recorded: list[tuple[str, float, str | None]] = []
    before = _statuses(live_server)
    client = StreamlitClient(live_server.url, timeout=60)
    account = journeys.Account(Role.DIRECTOR, "ce.0711989b@ac-dijon.fr", DEMO_PASSWORD)
    try:
        page = journeys.login(client, account, lambda *r: recorded.append(r))
        assert page.contains("Espace de Hugues.Traver")
        outcome = journeys.Outcome()
        rng = random.Random(0)
        for _ in range(4):
            journeys.director(client, lambda *r: recorded.append(r), _no_think, rng, outcome)
    finally:
        client.close()
    assert [r for r in recorded if r[2]] == []
    names = {r[0] for r in recorded}
    assert {"connexion (envoi du formulaire)", "directeur : espace", "directeur : onglet Candidatures",
            "directeur : ouvrir une candidature"} <= names
    after = _statuses(live_server)
    answers = (CandidatureStatus.ACCEPTED, CandidatureStatus.REFUSED)
    answered = {i for i in before if before[i] in CandidatureStatus.PENDING and after[i] in answers}
    assert len(answered) == outcome.accepted + outcome.refused >= 1


def test_coordinator_journey(live_server):
    recorded: list[tuple[str, float, str | None]] = []
    client = StreamlitClient(live_server.url, timeout=60)
    account = journeys.Account(Role.COORDINATOR, "coordinateur.dsden71@ac-dijon.fr", DEMO_PASSWORD)
    try:
        journeys.login(client, account, lambda *r: recorded.append(r))
        journeys.coordinator(client, lambda *r: recorded.append(r), _no_think, random.Random(1))
    finally:
        client.close()
    assert [r for r in recorded if r[2]] == []
    assert {"coordinateur : tableau de bord", "coordinateur : filtre circonscriptions",
            "coordinateur : choix du tableau", "coordinateur : filtre retiré"} <= {r[0] for r in recorded}


def test_a_wrong_password_is_reported_not_hidden(live_server):
    recorded: list[tuple[str, float, str | None]] = []
    client = StreamlitClient(live_server.url, timeout=60)
    try:
        journeys.login(client, journeys.Account(Role.DIRECTOR, "ce.0711989b@ac-dijon.fr", "mauvais"),
                       lambda *r: recorded.append(r))
    except journeys.ProtocolError:
        pass
    else:
        raise AssertionError("a refused login must raise")
    finally:
        client.close()
    assert recorded[-1][2] and "connexion refusée" in recorded[-1][2]
