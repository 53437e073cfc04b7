"""Synthetic data at the size of a DSDEN, an académie or the whole country (``manage.py seed-synthetic``).

Scales (targets; the real referential decides the exact school counts):

=========  ===========================================  ========  =============
scale      schools                                      offers    candidatures
=========  ===========================================  ========  =============
dsden      the real écoles of Saône-et-Loire (525)       300       1,500
academie   the real écoles of 21, 58, 71, 89 (≈1,590)    0.5/école 5/offre
national   45,000 synthetic écoles, 100 départements     100,000   1,000,000
=========  ===========================================  ========  =============

What is generated, per département (one campaign of the current school year each):
- the referential: ``dsden`` imports the project's extracts of ``data/``, ``academie`` the
  official regional file (``data/fr-en-annuaire-education-bfc.csv``) for each of the four
  départements (circonscriptions come with it); ``national`` writes ~10 circonscriptions, 450
  écoles and 25 lycées per département with valid UAIs (check letter) and coordinates;
- accounts: one coordinator per département, one IEN per circonscription, a director for each
  school with an offer and for 15 % of the others, students of the département's lycées (1 to 6
  candidatures each, about 3.3). Every synthetic account has the password ``SYNTHETIC_PASSWORD``
  (one bcrypt hash computed once);
- offers following the DSDEN guidance (lycée level only, hours, lunch break), about 70 % of
  schools covered: 92 % published, 5 % drafts, 3 % unpublished;
- candidatures on published offers only, unique per (offer, student), ``submitted_at`` spread from
  the offer's publication to now, ``deadline_at = submitted_at + 15 days``. Those still within
  their delay are mostly "submitted" or "read" (some already answered or withdrawn); older ones are
  accepted (never more than the offer's places), refused (with a reason), expired (closed at the
  deadline), withdrawn or, rarely, declined after an acceptance. An acceptance's ``deadline_at`` is the
  student's confirmation deadline (answer + 15 days): past it, the student confirmed in time
  (``confirmed``), so bench data holds no lapsed acceptance. Accepted ones get a convention row;
- history (``status_changes``): every offer's publication (and unpublication); at the dsden and
  academie scales every candidature transition (submitted, read, answer / expiry / withdrawal);
  at the national scale only the candidatures' final transitions (the "submitted" row of each of
  the million candidatures is left out to keep the load within minutes).

Additive and reproducible: nothing is deleted. The referential is an upsert by UAI (schools
already present are reused), campaigns are reused, a school that already has a director keeps it,
and new rows take ids above the current maximum, so running twice adds a second batch of offers,
students and candidatures. The same ``--seed`` on an empty database gives the same rows (times are
relative to midnight UTC of the day of generation). Run it while the application is idle: rows are
written with explicit ids (PostgreSQL sequences are moved past them at the end).

Speed: SQLAlchemy Core ``insert()`` with lists of dicts in chunks of 10,000 rows, one transaction
per group of départements; the national scale takes a few minutes on SQLite and PostgreSQL.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, insert, select, text

from db import read_session, write_session
from db.models import (
    Campaign,
    Candidature,
    CandidatureStatus,
    Circonscription,
    Convention,
    Lycee,
    Offer,
    OfferStatus,
    Period,
    Role,
    School,
    StatusChange,
    User,
)
from stages.domain import candidatures as candidature_rules
from stages.domain import placements as placement_rules
from stages.domain.passwords import hash_password
from stages.services import referential
from stages.services.campaigns import current_school_year, default_campaign_values

SYNTHETIC_PASSWORD = "Stage2de-Synthese!"
CHUNK = 10_000
RESPONSE_DELAY = dt.timedelta(days=candidature_rules.DEFAULT_RESPONSE_DELAY_DAYS)
CONFIRMATION_DELAY = dt.timedelta(days=placement_rules.DEFAULT_CONFIRMATION_DAYS)
ACADEMIE_DIJON = ("21", "58", "71", "89")
REGIONAL_FILE = referential.DATA_DIR / "fr-en-annuaire-education-bfc.csv"


@dataclass(frozen=True)
class Scale:
    name: str
    real_departements: tuple[str, ...] = ()  # real referential; empty: synthetic national one
    offers: int | None = None  # total, or offers_per_school × schools
    candidatures: int | None = None  # total, or candidatures_per_offer × offers
    offers_per_school: float = 0.5
    candidatures_per_offer: float = 5.0
    synthetic_departements: int = 0
    circonscriptions_per_departement: int = 10
    schools_per_departement: int = 0
    lycees_per_departement: int = 25
    full_history: bool = True
    departements_per_transaction: int = 10


SCALES: dict[str, Scale] = {
    "dsden": Scale("dsden", real_departements=("71",), offers=300, candidatures=1_500),
    "academie": Scale("academie", real_departements=ACADEMIE_DIJON),
    "national": Scale(
        "national", offers=100_000, candidatures=1_000_000, synthetic_departements=100,
        schools_per_departement=450, full_history=False,
    ),
}


@dataclass
class SyntheticReport:
    scale: str
    seed: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        labels = {
            "circonscriptions": "Circonscriptions", "schools": "Écoles", "lycees": "Lycées",
            "campaigns": "Campagnes", "users": "Comptes", "offers": "Offres",
            "candidatures": "Candidatures", "conventions": "Conventions", "status_changes": "Historique",
        }
        out = [f"Échelle {self.scale} (graine {self.seed}) générée en {self.seconds:.1f} s."]
        out += [f"{labels.get(k, k)} ajouté(e)s : {v:,}".replace(",", " ") for k, v in self.counts.items()]
        out.append(f"Mot de passe de tous les comptes synthétiques : {SYNTHETIC_PASSWORD}")
        return out


class Progress:
    """A progress bar on stderr: redrawn in place on a terminal, one line per 10 % otherwise."""

    def __init__(self, label: str, total: int, stream=None, enabled: bool = True):
        self.label, self.total, self.done = label, max(1, total), 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self._last_decile = -1

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done = min(self.total, self.done + n)
        if not self.enabled:
            return
        share = self.done / self.total
        decile = int(share * 10)
        if not self.tty and decile == self._last_decile and self.done < self.total:
            return
        self._last_decile = decile
        bar = "#" * int(share * 30)
        line = f"{self.label} [{bar:<30}] {share:4.0%} {note} {time.perf_counter() - self.start:5.0f} s"
        if self.tty:
            self.stream.write("\r" + line)
            if self.done >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()


# --------------------------------------------------------------------------- names

FIRST_NAMES = (
    "Léa Hugo Chloé Nathan Inès Tom Emma Lucas Manon Louis Camille Jules Sarah Gabriel Jade Arthur "
    "Louise Raphaël Zoé Adam Lina Paul Alice Théo Anna Noah Rose Ethan Lou Sacha Mila Enzo Julia "
    "Maël Ambre Nolan Léna Timéo Agathe Malo Yasmine Rayan Clara Mathis Nina Axel Margaux Kylian"
).split()
LAST_NAMES = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel Lefebvre "
    "Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent "
    "Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier François Legrand Gauthier "
    "Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu Gautier Masson Marchand Duval"
).split()
COMMUNE_ROOTS = (
    "Val Mont Pré Bois Fontaine Rivière Moulin Château Pont Roche Champ Vigne Lac Chêne Saule Orme "
    "Ormeau Colline Source Grange Verger Tilleul Étang Forge Clos Noyer Plaine Combe Côte Fays"
).split()
COMMUNE_PREFIXES = ("", "", "Saint-", "Sainte-", "Le ", "La ", "Les ", "Villers-", "Neuville-")
COMMUNE_SUFFIXES = ("", "", "", "-sur-Loire", "-les-Bains", "-en-Bresse", "-le-Haut", "-la-Forêt", "-sur-Saône")
OFFER_TITLES = (
    "Professeur des écoles",
    "Professeur des écoles",
    "Professeur des écoles - classe maternelle",
    "Professeur des écoles, directeur d'école",
    "Professeur des écoles spécialisé (ULIS)",
)
OFFER_DESCRIPTIONS = (
    "Observation de séances d'enseignement",
    "Observation de séances d'enseignement, observation des tâches liées à la direction d'école",
    "Observation de séances d'enseignement et participation à la préparation des activités de la classe",
    "Découverte du métier de professeur des écoles : observation de la classe, des récréations et de la concertation",
)
SCHOOL_HOURS = {day: ["08:30", "16:30"] for day in ("lundi", "mardi", "jeudi", "vendredi")}
LUNCH = "Pas de possibilité de restauration"
MOTIVATIONS = (
    "Bonjour, je suis élève de 2de et je souhaite devenir professeur des écoles. "
    "Je serais heureux·se d'observer la classe de votre école.",
    "Madame, Monsieur, j'aimerais découvrir le métier d'enseignant en école primaire pendant mon stage "
    "de seconde. Je suis sérieux·se et motivé·e.",
    "Bonjour, passionné·e par la transmission, je voudrais observer le travail d'une équipe d'école "
    "et comprendre l'organisation d'une journée de classe.",
)
REFUSAL_REASONS = (
    "Le nombre de places est déjà atteint pour cette période.",
    "Les dates du stage ne correspondent pas à l'organisation de l'école.",
    "Nous avons retenu une autre candidature, merci pour votre intérêt.",
)


def _ascii(value: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", value) if not unicodedata.combining(c)).lower()


_UAI_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def make_uai(digits: int) -> str:
    """Seven digits and their check letter (see ``referential_formats.uai_is_valid``)."""
    return f"{digits:07d}{_UAI_LETTERS[digits % 23]}"


def national_departements(n: int = 100) -> list[str]:
    """Codes of the metropolitan départements (2A/2B for Corsica), then overseas ones."""
    codes = [f"{i:02d}" for i in range(1, 96) if i != 20]
    codes[19:19] = ["2A", "2B"]
    codes += ["971", "972", "973", "974", "976"]
    return codes[:n] if "71" in codes[:n] else codes[: n - 1] + ["71"]


def _uai_prefix(dep: str) -> int:
    """The first three digits of a département's UAIs (0710001 → 071; 2A → 620; 971 → 971)."""
    if dep == "2A":
        return 620
    if dep == "2B":
        return 720
    return int(dep)


def _academie_of(dep: str) -> str:
    return "7" if dep in ACADEMIE_DIJON else str(10 + (_uai_prefix(dep) % 29))


# --------------------------------------------------------------------------- generation context


@dataclass
class _Dep:
    code: str
    academie: str
    campaign_id: int
    schools: list[dict[str, Any]]
    lycees: list[int]
    circonscriptions: list[tuple[int, str]]
    n_offers: int = 0
    n_candidatures: int = 0


class _Ctx:
    def __init__(self, conn, scale: Scale, rng: random.Random, now: dt.datetime, progress: Progress):
        self.conn = conn
        self.scale = scale
        self.rng = rng
        self.now = now
        self.progress = progress
        self.password_hash = ""
        self.counts: dict[str, int] = {}
        self.next_id: dict[str, int] = {}
        self.emails: set[str] = set()
        self.directors: dict[int, int] = {}  # school id -> existing director id
        self.buffers: dict[str, list[dict[str, Any]]] = {}
        self.generated: dict[str, int] = {}
        self.tables: dict[str, Table] = {}

    def new_id(self, table: str) -> int:
        self.next_id[table] += 1
        return self.next_id[table]

    def add(self, table: Table, row: dict[str, Any]) -> None:
        buf = self.buffers.setdefault(table.name, [])
        self.tables[table.name] = table
        buf.append(row)
        self.generated[table.name] = self.generated.get(table.name, 0) + 1
        if len(buf) >= CHUNK:
            self.flush(table.name)

    def flush(self, name: str | None = None) -> None:
        # Parents before children: foreign keys are checked row by row on SQLite.
        order = ["users", "offers", "candidatures", "conventions", "status_changes"]
        for table_name in [name] if name else order:
            buf = self.buffers.get(table_name)
            if not buf:
                continue
            if name is not None:
                # Flushing a child table needs its parents written first.
                for parent in order[: order.index(table_name)]:
                    if self.buffers.get(parent):
                        self.flush(parent)
            self.conn.execute(insert(self.tables[table_name]), buf)
            self.counts[table_name] = self.counts.get(table_name, 0) + len(buf)
            self.buffers[table_name] = []

    def email(self, local: str, domain: str, uid: int) -> str:
        address = f"{local}@{domain}"
        if address in self.emails:
            address = f"{local}.{uid}@{domain}"
        self.emails.add(address)
        return address


def _user_row(ctx: _Ctx, uid: int, role: str, first: str, last: str, email: str, dep: str, **links) -> dict:
    activated = ctx.now - dt.timedelta(days=ctx.rng.randint(20, 80))
    row = {
        "id": uid, "role": role, "first_name": first, "last_name": last, "function": None, "email": email,
        "password_hash": ctx.password_hash, "school_id": None, "lycee_id": None, "circonscription_id": None,
        "departement_code": dep, "activated_at": activated, "deactivated_at": None,
        "terms_accepted_at": activated, "failed_login_count": 0, "locked_until": None, "last_login_at": None,
        "password_changed_at": activated, "created_at": activated, "updated_at": activated,
    }
    row.update(links)
    return row


# --------------------------------------------------------------------------- referential


def _load_real_referential(scale: Scale, url: str | None) -> None:
    if scale.real_departements == ("71",):
        referential.import_project_extracts(url=url)
        return
    for dep in scale.real_departements:
        referential.import_parsed(referential.parse_file(REGIONAL_FILE, departement_code=dep), url=url)


def _write_national_referential(scale: Scale, rng: random.Random, url: str | None, show_progress: bool,
                                stream) -> None:
    """Circonscriptions, écoles and lycées of ~100 départements (UAIs already present are kept)."""
    deps = national_departements(scale.synthetic_departements)
    progress = Progress("référentiel synthétique", len(deps), stream=stream, enabled=show_progress)
    now = dt.datetime(2026, 9, 1)
    with write_session(url) as session:
        conn = session.connection()
        taken = set(conn.execute(select(School.uai)).scalars())
        taken |= set(conn.execute(select(Lycee.uai)).scalars())
        taken |= set(conn.execute(select(Circonscription.code)).scalars())
        for dep in deps:
            prefix = _uai_prefix(dep) * 10_000
            academie = _academie_of(dep)
            lat0, lon0 = rng.uniform(43.0, 50.0), rng.uniform(-1.5, 7.0)
            communes: list[str] = []
            while len(communes) < 120:
                name = rng.choice(COMMUNE_PREFIXES) + rng.choice(COMMUNE_ROOTS) + rng.choice(COMMUNE_SUFFIXES)
                if name not in communes:
                    communes.append(name)
            circ_rows = []
            for k in range(scale.circonscriptions_per_departement):
                uai = make_uai(prefix + 9000 + k)
                if uai in taken:
                    continue
                seat = communes[k]
                circ_rows.append({
                    "code": uai, "name": f"Circonscription d'inspection du 1er degré de {seat} {k + 1}",
                    "short_name": f"{seat} {k + 1}", "address": f"{k + 1} place de la Mairie",
                    "postal_code": f"{_uai_prefix(dep) % 100:02d}{k:03d}"[:5], "commune": seat,
                    "phone": f"03{rng.randint(10_000_000, 99_999_999)}", "email": f"ien.{uai.lower()}@example.org",
                    "departement_code": dep, "academie_code": academie, "updated_at": now,
                })
            if circ_rows:
                conn.execute(insert(Circonscription.__table__), circ_rows)
            circ_ids = list(
                conn.execute(select(Circonscription.id).where(Circonscription.departement_code == dep)).scalars()
            )
            school_rows = []
            for i in range(scale.schools_per_departement):
                uai = make_uai(prefix + 4000 + i)
                if uai in taken:
                    continue
                kind = rng.choices(("maternelle", "élémentaire", "primaire"), (30, 35, 35))[0]
                commune = communes[rng.randrange(len(communes))]
                label = {"maternelle": "Ecole maternelle", "élémentaire": "Ecole élémentaire",
                         "primaire": "Ecole primaire"}[kind]
                prio = rng.random()
                public = rng.random() < 0.9
                school_rows.append({
                    "uai": uai, "name": f"{label} {rng.choice(LAST_NAMES)}" if rng.random() < 0.4 else label,
                    "school_type": kind, "sector": "Public" if public else "Privé",
                    "private_contract": None if public else "CONTRAT D'ASSOCIATION TOUTES CLASSES",
                    "address": f"{rng.randint(1, 80)} rue de l'École", "address_complement": None,
                    "postal_code": f"{_uai_prefix(dep) % 100:02d}{rng.randint(0, 999):03d}", "commune": commune,
                    "code_commune": None, "phone": f"03{rng.randint(10_000_000, 99_999_999)}",
                    "email": f"ce.{uai.lower()}@example.org",
                    "circonscription_id": circ_ids[i % len(circ_ids)] if circ_ids else None,
                    "rep": 0.85 <= prio < 0.95, "rep_plus": prio >= 0.95, "qpv": rng.random() < 0.08,
                    "latitude": round(lat0 + rng.uniform(-0.45, 0.45), 6),
                    "longitude": round(lon0 + rng.uniform(-0.6, 0.6), 6),
                    "state": "OUVERT", "departement_code": dep, "academie_code": academie, "updated_at": now,
                })
            if school_rows:
                conn.execute(insert(School.__table__), school_rows)
            lycee_rows = []
            for i in range(scale.lycees_per_departement):
                uai = make_uai(prefix + 8000 + i)
                if uai in taken:
                    continue
                general = rng.random() < 0.65
                lycee_rows.append({
                    "uai": uai, "name": f"Lycée {rng.choice(LAST_NAMES)}", "sector": "Public",
                    "nature": "LYCEE D ENSEIGNEMENT GENERAL ET TECHNOLOGIQUE" if general else "LYCEE PROFESSIONNEL",
                    "voie_generale": general, "voie_technologique": general, "voie_professionnelle": not general,
                    "address": f"{rng.randint(1, 80)} avenue du Lycée", "postal_code": None,
                    "commune": communes[rng.randrange(len(communes))], "phone": None, "email": None,
                    "rep": False, "qpv": None, "latitude": None, "longitude": None, "state": "OUVERT",
                    "departement_code": dep, "academie_code": academie, "updated_at": now,
                })
            if lycee_rows:
                conn.execute(insert(Lycee.__table__), lycee_rows)
            progress.advance(1, f"{dep:>3}")


def _departements(scale: Scale, conn, school_year: str) -> list[_Dep]:
    codes = list(scale.real_departements) or national_departements(scale.synthetic_departements)
    deps: list[_Dep] = []
    values = default_campaign_values(school_year)
    for code in codes:
        campaign_id = conn.execute(
            select(Campaign.id).where(Campaign.departement_code == code, Campaign.school_year == school_year)
        ).scalar()
        academie = _academie_of(code)
        if campaign_id is None:
            stamp = dt.datetime.combine(values["offers_open_on"], dt.time(7))
            conn.execute(insert(Campaign.__table__), [{
                **values, "departement_code": code, "academie_code": academie,
                "created_at": stamp, "updated_at": stamp,
            }])
            campaign_id = conn.execute(
                select(Campaign.id).where(Campaign.departement_code == code, Campaign.school_year == school_year)
            ).scalar_one()
        schools = [
            dict(row._mapping)
            for row in conn.execute(
                select(School.id, School.uai, School.name, School.commune, School.address, School.postal_code, School.phone,
                       School.latitude, School.longitude, School.circonscription_id, School.rep, School.qpv,
                       Circonscription.short_name.label("circ_name"))
                .outerjoin(Circonscription, School.circonscription_id == Circonscription.id)
                .where(School.departement_code == code, School.state == "OUVERT")
                .order_by(School.id)
            )
        ]
        lycees = list(conn.execute(
            select(Lycee.id).where(Lycee.departement_code == code)
            .order_by((Lycee.voie_generale | Lycee.voie_technologique).desc(), Lycee.id)
        ).scalars())
        general = list(conn.execute(
            select(Lycee.id).where(Lycee.departement_code == code, Lycee.voie_generale | Lycee.voie_technologique)
            .order_by(Lycee.id)
        ).scalars())
        circs = [tuple(r) for r in conn.execute(
            select(Circonscription.id, Circonscription.code).where(Circonscription.departement_code == code)
            .order_by(Circonscription.id)
        )]
        deps.append(_Dep(code, academie, campaign_id, schools, general or lycees, circs))
    # Share the totals out in proportion to the schools of each département.
    n_schools = sum(len(d.schools) for d in deps)
    total_offers = scale.offers if scale.offers is not None else round(scale.offers_per_school * n_schools)
    total_cands = (
        scale.candidatures if scale.candidatures is not None else round(scale.candidatures_per_offer * total_offers)
    )
    weights = [len(d.schools) for d in deps]
    for d, n_offers, n_cands in zip(deps, _apportion(total_offers, weights), _apportion(total_cands, weights)):
        d.n_offers, d.n_candidatures = n_offers, n_cands
    return deps


def _apportion(total: int, weights: list[int]) -> list[int]:
    """Share ``total`` in proportion to ``weights``, exactly (largest remainders)."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    shares = [total * w / whole for w in weights]
    out = [int(x) for x in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: shares[i] - out[i], reverse=True)
    for i in by_remainder[: total - sum(out)]:
        out[i] += 1
    return out


# --------------------------------------------------------------------------- one département


def _generate_departement(ctx: _Ctx, dep: _Dep, values: dict[str, Any]) -> None:
    rng, now = ctx.rng, ctx.now
    users, offers_t = User.__table__, Offer.__table__
    cands_t, conv_t, hist_t = Candidature.__table__, Convention.__table__, StatusChange.__table__
    head_office = f"DSDEN {dep.code} - Cité administrative - {dep.code}000"
    open_at = dt.datetime.combine(values["offers_open_on"], dt.time(7))
    students_from = dt.datetime.combine(values["students_access_on"], dt.time(7))

    # Accounts of the département's staff.
    uid = ctx.new_id("users")
    ctx.add(users, _user_row(ctx, uid, Role.COORDINATOR, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES),
                             ctx.email(f"coordination.dsden{dep.code.lower()}", "synthetique.example.org", uid),
                             dep.code, function="Coordinateur·rice stages de seconde"))
    for circ_id, circ_code in dep.circonscriptions:
        uid = ctx.new_id("users")
        ctx.add(users, _user_row(ctx, uid, Role.IEN, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES),
                                 ctx.email(f"ien.{circ_code.lower()}", "synthetique.example.org", uid),
                                 dep.code, function="IEN", circonscription_id=circ_id))

    # Schools with offers (about 70 %), and their directors.
    schools = dep.schools
    if not schools or dep.n_offers <= 0:
        return
    n_covered = min(len(schools), max(1, min(int(0.7 * len(schools)), int(dep.n_offers / 1.3))))
    covered = rng.sample(range(len(schools)), n_covered)
    per_school = [1] * n_covered
    for k in rng.choices(range(n_covered), k=max(0, dep.n_offers - n_covered)):
        per_school[k] += 1
    covered_set = set(covered)
    director_of: dict[int, int] = {}
    for index in sorted(covered_set | {i for i in range(len(schools)) if rng.random() < 0.15}):
        school = schools[index]
        existing = ctx.directors.get(school["id"])
        if existing:
            director_of[index] = existing
            continue
        uid = ctx.new_id("users")
        ctx.add(users, _user_row(ctx, uid, Role.DIRECTOR, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES),
                                 ctx.email(f"ce.{school['uai'].lower()}", "synthetique.example.org", uid), dep.code,
                                 function="Directeur (trice)", school_id=school["id"]))
        director_of[index] = uid

    # Offers.
    published: list[tuple[int, dt.datetime, int, int]] = []  # (offer id, published at, places, director)
    latest_publication = max(open_at + dt.timedelta(days=1), now - dt.timedelta(days=10))
    for index, count in zip(covered, per_school):
        school = schools[index]
        director = director_of[index]
        for _ in range(count):
            oid = ctx.new_id("offers")
            roll = rng.random()
            status = OfferStatus.PUBLISHED if roll < 0.92 else OfferStatus.DRAFT if roll < 0.97 else OfferStatus.UNPUBLISHED
            created = open_at + (latest_publication - open_at) * rng.random()
            published_at = created + dt.timedelta(hours=rng.uniform(0.2, 48)) if status != OfferStatus.DRAFT else None
            if published_at and published_at > now:
                published_at = now - dt.timedelta(hours=1)
            unpublished_at = (
                published_at + (now - published_at) * rng.random() if status == OfferStatus.UNPUBLISHED else None
            )
            places = rng.choices((1, 2, 3, 4, 6), (40, 35, 15, 6, 4))[0]
            ctx.add(offers_t, {
                "id": oid, "campaign_id": dep.campaign_id, "school_id": school["id"], "created_by_id": director,
                "status": status, "step_reached": 3 if status != OfferStatus.DRAFT else rng.randint(1, 2),
                "form_key": None, "duplicated_from_id": None,
                "title": rng.choice(OFFER_TITLES), "description": rng.choice(OFFER_DESCRIPTIONS),
                "place_name": f"{school['name']} {school['commune']}", "place_address": school["address"] or "",
                "place_postal_code": school["postal_code"], "place_commune": school["commune"] or "",
                "latitude": school["latitude"], "longitude": school["longitude"], "siret": None,
                "manual_structure": True, "is_public": True,
                "public_employer_type": "Ministère de l'Éducation nationale, de l'Enseignement supérieur et de la Recherche",
                "sector": "Enseignement",
                "employer_name": f"{school['name']} {school['commune']} - Circonscription de {school['circ_name'] or ''}"[:150],
                "head_office_address": head_office, "depositor_phone": school["phone"],
                "work_environment": None, "accessibility": None, "level_college": False, "level_lycee": True,
                "period": rng.choices((Period.TWO_WEEKS, Period.WEEK_1, Period.WEEK_2), (70, 15, 15))[0],
                "max_students": places, "same_hours": False, "daily_hours": SCHOOL_HOURS, "lunch_break": LUNCH,
                "reserved_lycee_id": None, "reserved_rep": False, "reserved_qpv": False,
                "published_at": published_at,
                "first_published_at": published_at, "unpublished_at": unpublished_at,
                "created_at": created, "updated_at": unpublished_at or published_at or created,
            })
            if published_at:
                ctx.add(hist_t, _history("offer", oid, OfferStatus.DRAFT, OfferStatus.PUBLISHED, director, published_at))
            if unpublished_at:
                ctx.add(hist_t, _history("offer", oid, OfferStatus.PUBLISHED, OfferStatus.UNPUBLISHED, director,
                                         unpublished_at))
            if status == OfferStatus.PUBLISHED:
                published.append((oid, published_at, places, director))
    if not published:
        return

    # Students and their candidatures: popular offers get more (weights), one per (offer, student).
    cum, acc = [], 0.0
    for _ in published:
        acc += 1 + 3 * rng.random() ** 3
        cum.append(acc)
    by_offer: dict[int, list[tuple[dt.datetime, int]]] = {}
    made = 0
    while made < dep.n_candidatures:
        uid = ctx.new_id("users")
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        ctx.add(users, _user_row(
            ctx, uid, Role.STUDENT, first, last,
            ctx.email(f"{_ascii(first)}.{_ascii(last)}.{uid}", "eleves.example.org", uid), dep.code,
            lycee_id=dep.lycees[rng.randrange(len(dep.lycees))] if dep.lycees else None,
        ))
        wanted = min(len(published), rng.choices((1, 2, 3, 4, 5, 6), (15, 20, 25, 20, 12, 8))[0],
                     dep.n_candidatures - made)
        chosen: set[int] = set()
        while len(chosen) < wanted:
            chosen.add(min(bisect.bisect_left(cum, rng.random() * acc), len(published) - 1))
        for k in sorted(chosen):
            offer_id, published_at, _places, _director = published[k]
            start = max(published_at, students_from)
            submitted = start + (now - dt.timedelta(hours=1) - start) * rng.random()
            by_offer.setdefault(offer_id, []).append((submitted, uid))
        made += len(chosen)
    ctx.flush("users")

    for offer_id, _published_at, places, director in published:
        taken = 0
        for submitted, student in sorted(by_offer.get(offer_id, ())):
            if _candidature(ctx, offer_id, student, director, submitted, places - taken, cands_t, conv_t, hist_t):
                taken += 1
    ctx.progress.advance(1, f"{dep.code:>3} · {ctx.generated.get('candidatures', 0):,} candidatures")


def _history(kind: str, entity_id: int, before: str | None, after: str, author: int | None, at: dt.datetime) -> dict:
    return {"entity_type": kind, "entity_id": entity_id, "from_status": before, "to_status": after,
            "author_id": author, "at": at, "comment": None}


def _candidature(ctx: _Ctx, offer_id: int, student: int, director: int, submitted: dt.datetime,
                 places_left: int, cands_t, conv_t, hist_t) -> bool:
    """Write one candidature with its outcome; True when it holds one of the offer's places."""
    rng, now = ctx.rng, ctx.now
    cid = ctx.new_id("candidatures")
    deadline = submitted + RESPONSE_DELAY
    open_window = min(deadline, now) - submitted  # time the director had to answer
    row = {
        "id": cid, "offer_id": offer_id, "student_id": student, "motivation": rng.choice(MOTIVATIONS),
        "status": CandidatureStatus.SUBMITTED, "submitted_at": submitted, "deadline_at": deadline,
        "read_at": None, "answered_at": None, "answered_by_id": None, "refusal_reason": None, "closed_at": None,
        "reminder_sent_at": None, "updated_at": submitted, "confirmed_at": None, "waitlisted_at": None,
    }
    history: list[tuple[str | None, str, int | None, dt.datetime]] = []
    if ctx.scale.full_history:
        history.append((None, CandidatureStatus.SUBMITTED, student, submitted))
    roll = rng.random()
    pending = deadline > now
    # Still within the delay: most wait for an answer; past it, every one has an outcome.
    if pending:
        outcome = ("submitted" if roll < 0.35 else "read" if roll < 0.6 else "withdrawn" if roll < 0.65 else "answer")
    else:
        outcome = ("answer" if roll < 0.7 else "expired" if roll < 0.9 else "withdrawn")
    holds_place = False

    def at(fraction_low: float, fraction_high: float) -> dt.datetime:
        return submitted + open_window * rng.uniform(fraction_low, fraction_high)

    if outcome == "read":
        row.update(status=CandidatureStatus.READ, read_at=at(0.05, 0.9))
        history.append((CandidatureStatus.SUBMITTED, CandidatureStatus.READ, director, row["read_at"]))
    elif outcome == "withdrawn":
        row.update(status=CandidatureStatus.WITHDRAWN, closed_at=at(0.05, 0.95))
        history.append((CandidatureStatus.SUBMITTED, CandidatureStatus.WITHDRAWN, student, row["closed_at"]))
    elif outcome == "expired":
        row.update(status=CandidatureStatus.EXPIRED, closed_at=deadline)
        history.append((CandidatureStatus.SUBMITTED, CandidatureStatus.EXPIRED, None, deadline))
    elif outcome == "answer":
        read_at = at(0.02, 0.5)
        answered = read_at + (submitted + open_window - read_at) * rng.uniform(0.1, 0.95)
        row.update(read_at=read_at, answered_at=answered, answered_by_id=director)
        if ctx.scale.full_history:
            history.append((CandidatureStatus.SUBMITTED, CandidatureStatus.READ, director, read_at))
        before = CandidatureStatus.READ if ctx.scale.full_history else CandidatureStatus.SUBMITTED
        if places_left > 0 and rng.random() < 0.6:
            # Accepted: deadline_at becomes the student's confirmation deadline; past it, the
            # student confirmed in time (never "lapsed" in bench data, the place stays held).
            confirm_by = answered + CONFIRMATION_DELAY
            row.update(status=CandidatureStatus.ACCEPTED, deadline_at=confirm_by)
            history.append((before, CandidatureStatus.ACCEPTED, director, answered))
            if confirm_by <= now:
                confirmed = answered + (confirm_by - answered) * rng.uniform(0.05, 0.9)
                row.update(status=CandidatureStatus.CONFIRMED, confirmed_at=confirmed)
                history.append((CandidatureStatus.ACCEPTED, CandidatureStatus.CONFIRMED, student, confirmed))
            if rng.random() < 0.03 and answered < now - dt.timedelta(days=1):
                placed, since = row["status"], history[-1][3]
                row.update(status=CandidatureStatus.DECLINED, closed_at=since + (now - since) * rng.random())
                history.append((placed, CandidatureStatus.DECLINED, student, row["closed_at"]))
            else:
                holds_place = True
        else:
            row.update(status=CandidatureStatus.REFUSED, refusal_reason=rng.choice(REFUSAL_REASONS))
            history.append((before, CandidatureStatus.REFUSED, director, answered))
    row["updated_at"] = history[-1][3] if history else submitted
    ctx.add(cands_t, row)
    if row["status"] in (*CandidatureStatus.PLACED, CandidatureStatus.DECLINED):
        ctx.add(conv_t, {"candidature_id": cid, "status": "to_generate", "created_at": row["answered_at"],
                         "generated_at": None, "signed_at": None})
    for before, after, author, when in history:
        ctx.add(hist_t, _history("candidature", cid, before, after, author, when))
    return holds_place


# --------------------------------------------------------------------------- entry points


def _max_ids(conn) -> dict[str, int]:
    return {
        "users": conn.execute(select(func.coalesce(func.max(User.id), 0))).scalar_one(),
        "offers": conn.execute(select(func.coalesce(func.max(Offer.id), 0))).scalar_one(),
        "candidatures": conn.execute(select(func.coalesce(func.max(Candidature.id), 0))).scalar_one(),
    }


def _fix_sequences(conn, tables: Iterable[str]) -> None:
    """PostgreSQL: move each serial sequence past the ids written explicitly."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        conn.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
        ))


def generate(
    scale_name: str | Scale,
    *,
    seed: int = 1,
    now: dt.datetime | None = None,
    url: str | None = None,
    show_progress: bool = True,
    stream=None,
) -> SyntheticReport:
    """Generate one scale (a name of ``SCALES`` or a custom ``Scale``) into the database.

    Additive; see the module's docstring. ``now`` defaults to midnight UTC today.
    """
    if isinstance(scale_name, Scale):
        scale = scale_name
    elif scale_name in SCALES:
        scale = SCALES[scale_name]
    else:
        raise ValueError(f"Échelle inconnue : {scale_name} (attendu : {', '.join(SCALES)})")
    started = time.perf_counter()
    rng = random.Random(seed)
    if now is None:
        today = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        now = today.replace(hour=0, minute=0, second=0, microsecond=0)
    counts_before = _table_counts(url)

    if scale.real_departements:
        _load_real_referential(scale, url)
    else:
        _write_national_referential(scale, rng, url, show_progress, stream)

    school_year = current_school_year(now.date())
    values = default_campaign_values(school_year)
    password_hash = hash_password(SYNTHETIC_PASSWORD)
    with write_session(url) as session:  # creates the missing campaigns
        deps = _departements(scale, session.connection(), school_year)
    progress = Progress(f"seed-synthetic {scale.name}", len(deps), stream=stream, enabled=show_progress)
    group = max(1, scale.departements_per_transaction)
    ctx: _Ctx | None = None
    for start in range(0, len(deps), group):
        with write_session(url) as session:
            conn = session.connection()
            if ctx is None:
                ctx = _Ctx(conn, scale, rng, now, progress)
                ctx.password_hash = password_hash
                ctx.next_id = _max_ids(conn)
                ctx.emails = set(conn.execute(select(User.email)).scalars())
                ctx.directors = {
                    school_id: user_id
                    for user_id, school_id in conn.execute(
                        select(User.id, User.school_id).where(User.role == Role.DIRECTOR, User.school_id.is_not(None))
                    )
                }
            ctx.conn = conn
            for dep in deps[start : start + group]:
                _generate_departement(ctx, dep, values)
            ctx.flush()
            _fix_sequences(conn, ("users", "offers", "candidatures"))
    # Fresh planner statistics: without them SQLite walks every accepted candidature of the
    # country to find one school's (1.9 s instead of 2 ms at the national scale).
    with write_session(url) as session:
        session.execute(text("ANALYZE"))
    counts_after = _table_counts(url)
    report = SyntheticReport(scale.name, seed, seconds=time.perf_counter() - started)
    report.counts = {k: counts_after[k] - counts_before.get(k, 0) for k in counts_after}
    return report


def _table_counts(url: str | None) -> dict[str, int]:
    models = {
        "circonscriptions": Circonscription, "schools": School, "lycees": Lycee, "campaigns": Campaign,
        "users": User, "offers": Offer, "candidatures": Candidature, "conventions": Convention,
        "status_changes": StatusChange,
    }
    with read_session(url) as session:
        return {name: session.scalar(select(func.count()).select_from(model)) or 0 for name, model in models.items()}


# --------------------------------------------------------------------------- benchmark accounts


@dataclass(frozen=True)
class BenchAccounts:
    coordinator_id: int | None
    ien_id: int | None
    director_id: int | None
    director_candidatures: int
    student_id: int | None


def benchmark_accounts(departement_code: str = "71", target_candidatures: int = 20,
                       url: str | None = None) -> BenchAccounts:
    """The accounts a benchmark logs in as, chosen so that a director's work is the same at every scale.

    Director: the one of the département whose candidatures count is closest to
    ``target_candidatures`` (a busy but ordinary inbox). IEN: the one with the most schools.
    Student: the one of the département with the most candidatures.
    """
    with read_session(url) as session:
        coordinator = session.scalar(
            select(User.id).where(User.role == Role.COORDINATOR, User.departement_code == departement_code)
            .order_by(User.id)
        )
        ien = session.scalar(
            select(User.id)
            .join(School, School.circonscription_id == User.circonscription_id)
            .where(User.role == Role.IEN, School.departement_code == departement_code)
            .group_by(User.id).order_by(func.count(School.id).desc(), User.id)
        )
        per_director = (
            select(User.id, func.count(Candidature.id).label("n"))
            .join(School, School.id == User.school_id)
            .join(Offer, Offer.school_id == School.id)
            .join(Candidature, Candidature.offer_id == Offer.id)
            .where(User.role == Role.DIRECTOR, School.departement_code == departement_code)
            .group_by(User.id)
            .subquery()
        )
        director = session.execute(
            select(per_director.c.id, per_director.c.n)
            .order_by(func.abs(per_director.c.n - target_candidatures), per_director.c.id).limit(1)
        ).first()
        student = session.scalar(
            select(User.id)
            .join(Candidature, Candidature.student_id == User.id)
            .where(User.role == Role.STUDENT, User.departement_code == departement_code)
            .group_by(User.id).order_by(func.count(Candidature.id).desc(), User.id).limit(1)
        )
        return BenchAccounts(coordinator, ien, director[0] if director else None,
                             int(director[1]) if director else 0, student)


__all__ = ["SCALES", "SYNTHETIC_PASSWORD", "BenchAccounts", "SyntheticReport", "benchmark_accounts",
           "generate", "make_uai", "national_departements"]
