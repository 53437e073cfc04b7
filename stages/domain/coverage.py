"""Coverage actions of the DSDEN and the IEN (issue 13): relaunching the écoles without an offer,
the weekly digest, the waiting candidatures, and the weeks of a campaign for the trend.

No database access here.
"""

from __future__ import annotations

import datetime as dt

from stages.domain.timeutil import fmt_date, to_paris

# --------------------------------------------------------------------------- relaunches

RELAUNCH_MIN_DAYS = 7
SUBJECT_MAX = 200
BODY_MIN = 20
BODY_MAX = 5000

# The placeholders a coordinator may use in the template; each is replaced per school.
PLACEHOLDERS = {
    "{école}": "le nom de l'école",
    "{commune}": "la commune de l'école",
    "{circonscription}": "la circonscription",
    "{lien}": "le lien vers l'application",
    "{dates}": "les dates du stage de la campagne",
    "{ouverture}": "la date d'ouverture des candidatures aux élèves",
}

DEFAULT_SUBJECT = "Stages de seconde : votre école peut encore accueillir un élève"
DEFAULT_BODY = (
    "Madame la directrice, Monsieur le directeur,\n\n"
    "Les élèves de seconde générale et technologique effectuent un stage d'observation {dates}. "
    "Plusieurs d'entre eux souhaitent découvrir le métier de professeur des écoles, et l'école {école} "
    "({commune}) n'a pas encore déposé d'offre de stage.\n\n"
    "Déposer une offre prend quelques minutes : connectez-vous à l'application Stages de seconde de la DSDEN "
    "de Saône-et-Loire, rubrique « Déposer une offre de stage ». Les élèves pourront candidater à partir du "
    "{ouverture}.\n\n"
    "{lien}\n\n"
    "Merci de votre engagement auprès des lycéens.\n\n"
    "La DSDEN de Saône-et-Loire — circonscription {circonscription}"
)


def render_template(template: str, values: dict[str, str]) -> str:
    """Replace the known placeholders; anything else the coordinator typed stays as typed."""
    out = template
    for key in PLACEHOLDERS:
        out = out.replace(key, values.get(key, ""))
    return out


def template_problems(subject: str, body: str) -> dict[str, str]:
    """What is wrong with a relaunch mail's subject and body (French), by field."""
    problems = {}
    if not subject:
        problems["subject"] = "Indiquez l'objet du courriel."
    elif len(subject) > SUBJECT_MAX:
        problems["subject"] = f"L'objet est trop long : au plus {SUBJECT_MAX} caractères ({len(subject)} saisis)."
    if len(body) < BODY_MIN:
        problems["body"] = f"Le message est trop court : au moins {BODY_MIN} caractères ({len(body)} saisis)."
    elif len(body) > BODY_MAX:
        problems["body"] = f"Le message est trop long : au plus {BODY_MAX} caractères ({len(body)} saisis)."
    return problems


def relaunch_blocked_until(last_sent_at: dt.datetime | None, now: dt.datetime, forced: bool) -> dt.datetime | None:
    """A school is not relaunched twice within 7 days unless forced: until when it is blocked, or None."""
    if forced or last_sent_at is None:
        return None
    until = last_sent_at + dt.timedelta(days=RELAUNCH_MIN_DAYS)
    return until if now < until else None


def relaunch_label(last_sent_at: dt.datetime | None, count: int) -> str:
    """« relancée le 07/12/2026 (2 fois) », or « » when never relaunched."""
    if last_sent_at is None or count == 0:
        return ""
    return f"relancée le {fmt_date(last_sent_at)}" + (f" ({count} fois)" if count > 1 else "")


# --------------------------------------------------------------------------- digests

WAITING_DAYS = 10  # a candidature waiting for an answer longer than this is listed in the digest


def week_key(now: dt.datetime) -> str:
    """The ISO week of ``now`` in Paris ("2026-W50"): one digest per recipient and week."""
    year, week, _ = to_paris(now).isocalendar()
    return f"{year}-W{week:02d}"


def waiting_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=WAITING_DAYS)


# --------------------------------------------------------------------------- trend


def campaign_week(offers_open_on: dt.date, day: dt.date) -> int:
    """Week of the campaign of ``day``: 1 for the first 7 days from the opening of the offers."""
    return (day - offers_open_on).days // 7 + 1


def week_end(offers_open_on: dt.date, week: int) -> dt.date:
    """Last day of the campaign's week ``week``."""
    return offers_open_on + dt.timedelta(days=7 * week - 1)
