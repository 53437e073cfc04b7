"""What a director and a coordinator do, as sequences of timed actions on a :class:`StreamlitClient`.

Each action is timed from "action sent" to "page finished" (the ``script_finished`` that is not a
rerun) and reported through ``record(name, seconds, error)``; ``think(low, high)`` waits like a
person reading (Locust's gevent sleep under load, nothing in the test). A failed action raises
after being recorded: the journey stops there and the virtual user starts over on a new session.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from loadtest.client import Page, ProtocolError, StreamlitClient
from stages.domain.vocabulary import Role

Record = Callable[[str, float, str | None], None]
Think = Callable[[float, float], None]
REFUSAL_REASON = "Nous avons déjà accueilli un stagiaire sur cette période."


@dataclass
class Account:
    role: Role  # Role.DIRECTOR or Role.COORDINATOR
    email: str
    password: str


@dataclass
class Outcome:
    """What a journey changed (for the report: actions really done, not only pages seen)."""

    accepted: int = 0
    refused: int = 0
    answer_refused: int = 0  # the service said no (no place left...): a French message, not an error
    nothing_to_answer: int = 0


class Timer:
    def __init__(self, record: Record):
        self.record = record

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        except ProtocolError as exc:
            self.record(name, time.perf_counter() - start, str(exc))
            raise
        except Exception as exc:  # noqa: BLE001 - any failure of the client is an error of the action
            self.record(name, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
            raise ProtocolError(str(exc)) from exc
        self.record(name, time.perf_counter() - start, None)


def login(client: StreamlitClient, account: Account, record: Record) -> Page:
    timed = Timer(record)
    with timed("connexion (page)"):
        client.open("connexion")
    with timed("connexion (envoi du formulaire)"):
        client.type_text("Adresse électronique", account.email)
        client.type_text("Mot de passe", account.password)
        page = client.click("Se connecter")
        if any(n.proto.label == "Mot de passe" for n in page.elements("text_input")):
            raise ProtocolError(f"connexion refusée pour {account.email}")
    return page


def director(client: StreamlitClient, record: Record, think: Think, rng: random.Random,
             outcome: Outcome | None = None) -> Outcome:
    """Inbox, open a candidature, accept or refuse it (or close it), back to the inbox."""
    outcome = outcome or Outcome()
    timed = Timer(record)
    with timed("directeur : espace"):
        client.navigate("espace")
    think(1, 3)
    with timed("directeur : onglet Candidatures"):
        page = client.choose_tab("Candidatures")
    if not page.contains("Délai de réponse aux élèves"):
        raise ProtocolError("la boîte des candidatures n'est pas affichée")
    think(2, 5)
    to_answer = page.buttons("Ouvrir")
    if not to_answer:
        outcome.nothing_to_answer += 1
        with timed("directeur : rafraîchir la boîte"):
            client.rerun()
        return outcome
    with timed("directeur : ouvrir une candidature"):
        page = client.click("Ouvrir", rng.randrange(len(to_answer)))
    if not page.contains("Message de motivation"):
        raise ProtocolError("la candidature ouverte n'est pas affichée")
    think(3, 8)  # reading the motivation
    choice = rng.random()
    if choice < 0.4 and page.buttons("Accepter"):
        # « Accepter » asks for a confirmation (issue 14); the answer is « Confirmer l'acceptation ».
        with timed("directeur : accepter"):
            page = client.click("Accepter")
        think(1, 2)
        done = page.buttons("Confirmer l'acceptation") and _answer(client, timed, "Confirmer l'acceptation",
                                                                  "acceptée.")
        outcome.accepted += bool(done)
    elif choice < 0.8 and page.buttons("Refuser"):
        client.type_text("Motif du refus", REFUSAL_REASON, kind="text_area")
        done = _answer(client, timed, "Refuser", "refusée.")
        outcome.refused += done
    else:
        with timed("directeur : fermer"):
            client.click("Fermer")
        return outcome
    outcome.answer_refused += not done  # the service said no: its French message instead of the confirmation
    return outcome


def _answer(client: StreamlitClient, timed: Timer, button: str, confirmation: str) -> bool:
    """Click « Confirmer l'acceptation » or « Refuser » (timed); True when the page confirms the answer."""
    with timed(f"directeur : {button[0].lower() + button[1:]}"):
        page = client.click(button)
    return page.contains(confirmation)


def coordinator(client: StreamlitClient, record: Record, think: Think, rng: random.Random) -> None:
    """Dashboard, filter by circonscription, the « À traiter » tab, another table and one of its pages,
    filter removed."""
    timed = Timer(record)
    with timed("coordinateur : tableau de bord"):
        page = client.navigate("tableau-de-bord")
    if not page.contains("Tableau de bord"):
        raise ProtocolError("le tableau de bord n'est pas affiché")
    think(2, 5)
    circs = page.widget("multiselect", "Circonscriptions")
    chosen = rng.sample(list(circs.options), k=min(len(circs.options), rng.choice((1, 2))))
    with timed("coordinateur : filtre circonscriptions"):
        page = client.select("multiselect", "Circonscriptions", chosen)
    think(2, 5)
    with timed("coordinateur : onglet À traiter"):
        client.choose_tab("À traiter")
    think(1, 3)
    with timed("coordinateur : choix du tableau"):
        page = client.select("button_group", "Tableau", [rng.choice(["Écoles sans offre", "Toutes les offres"])])
    pager = [n.proto for n in page.elements("number_input") if n.proto.label.startswith("Page (sur")]
    if pager:
        think(1, 3)
        last = int(pager[0].max) if pager[0].has_max else 2
        with timed("coordinateur : page du tableau"):
            client.set_number("Page (sur", rng.randint(min(2, last), last), startswith=True)
    think(2, 5)
    with timed("coordinateur : filtre retiré"):
        client.select("multiselect", "Circonscriptions", [])


def journey(client: StreamlitClient, account: Account, record: Record, think: Think, rng: random.Random,
            outcome: Outcome | None = None) -> Outcome | None:
    if account.role == Role.DIRECTOR:
        return director(client, record, think, rng, outcome)
    coordinator(client, record, think, rng)
    return outcome
