#!/usr/bin/env python3
"""Command-line administration of Stages de seconde (what a cron or an administrator runs).

    python manage.py --help
    python manage.py COMMAND --help
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {}


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument on one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: erreur: {message} (voir --help)\n")


def command(name: str, help_text: str, configure: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    def decorator(func: Callable[[argparse.Namespace], int]):
        COMMANDS[name] = (help_text, configure, func)
        return func

    return decorator


# --------------------------------------------------------------------------- commands


@command("init-db", "Crée la base de données et applique les migrations.")
def init_db(_args: argparse.Namespace) -> int:
    from db import ensure_database
    from db.session import table_names

    ensure_database()
    print(f"Base prête : {len(table_names())} tables.")
    return 0


def _import_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="annuaire de l'éducation (CSV ;) ou extrait du dossier data/")
    p.add_argument("--dry-run", action="store_true", help="affiche les différences sans rien enregistrer")


@command("import-schools", "Importe ou met à jour les circonscriptions, écoles et lycées (par UAI).", _import_args)
def import_schools(args: argparse.Namespace) -> int:
    from pathlib import Path

    from stages.services import referential

    path = Path(args.file)
    if not path.is_file():
        print(f"Fichier introuvable : {path}", file=sys.stderr)
        return 2
    try:
        report = referential.import_file(path, dry_run=args.dry_run)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    for line in report.lines():
        print(line)
    for line_no, reason in report.errors[:50]:
        print(f"  ligne {line_no} : {reason}")
    return 0


def _user_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--role", required=True, choices=["director", "student", "coordinator", "ien", "lycee_head"])
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)
    p.add_argument("--uai", help="école (directeur) ou lycée (élève, chef d'établissement)")
    p.add_argument("--circonscription", help="code de la circonscription (IEN), ex. 0710098W")
    p.add_argument("--first-name", default="")
    p.add_argument("--last-name", default="")
    p.add_argument("--function", default=None)


@command("create-user", "Crée un compte déjà activé (coordinateur, IEN, directeur, élève, chef d'établissement).",
         _user_args)
def create_user(args: argparse.Namespace) -> int:
    from stages.services import auth
    from stages.services.errors import ServiceError

    try:
        user = auth.create_user(
            role=args.role, email=args.email, password=args.password, uai=args.uai,
            circonscription_code=args.circonscription, first_name=args.first_name,
            last_name=args.last_name, function=args.function,
        )
    except ServiceError as exc:
        print("; ".join(exc.errors.values()) or exc.message, file=sys.stderr)
        return 2
    print(f"Compte créé : {user.email} ({user.role}), n° {user.id}")
    return 0


@command("seed-demo", "Charge le référentiel s'il manque, puis les données de démonstration (une fois).")
def seed_demo(_args: argparse.Namespace) -> int:
    from stages.seed import demo

    for line in demo.seed_demo().lines():
        print(line)
    return 0


def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("dest", metavar="DEST", nargs="?",
                   help="fichier de sauvegarde à écrire ; sans DEST : un fichier daté dans BACKUP_DIR, puis la "
                        "rotation (BACKUP_KEEP_DAILY jours, BACKUP_KEEP_WEEKLY semaines)")


@command("backup", "Sauvegarde la base : copie SQLite, ou pg_dump pour PostgreSQL (timer quotidien).", _backup_args)
def backup(args: argparse.Namespace) -> int:
    from stages.services import maintenance

    try:
        if args.dest:
            path = maintenance.backup(args.dest)
            removed = []
        else:
            path, removed = maintenance.backup_to_folder()
    except (OSError, RuntimeError) as exc:
        print(f"Sauvegarde impossible : {exc}", file=sys.stderr)
        return 1
    print(f"Sauvegarde écrite : {path}")
    if removed:
        print(f"Anciennes sauvegardes supprimées (rotation) : {len(removed)}")
    return 0


def _restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", metavar="FILE", help="fichier écrit par « backup » (SQLite ou pg_dump)")
    p.add_argument("--force", action="store_true", help="remplace une base qui contient déjà des données")


@command("restore", "Restaure une sauvegarde dans DATABASE_URL (arrêtez d'abord les serveurs et les timers).",
         _restore_args)
def restore(args: argparse.Namespace) -> int:
    from stages.services import maintenance

    try:
        print(maintenance.restore(args.file, force=args.force))
    except maintenance.RestoreRefused as exc:
        print(f"Restauration refusée : {exc}", file=sys.stderr)
        return 2
    except (OSError, RuntimeError) as exc:
        print(f"Restauration impossible : {exc}", file=sys.stderr)
        return 1
    return 0


def _check_deploy_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--no-live", action="store_true",
                   help="ne pas interroger APP_BASE_URL/app/health à travers le proxy")


@command("check-deploy", "Vérifie la configuration de production ; code de sortie 1 et raisons si elle est risquée.",
         _check_deploy_args)
def check_deploy(args: argparse.Namespace) -> int:
    from stages.services import deployment

    report = deployment.check_deploy(live=not args.no_live)
    for line in report.lines():
        print(line)
    return 0 if report.ok else 1


def _purge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dry-run", action="store_true", help="compte ce qui serait anonymisé ou supprimé, sans rien modifier")
    p.add_argument("--today", metavar="JJ/MM/AAAA", help="date de référence (par défaut : aujourd'hui, heure de Paris)")


@command("purge-personal-data",
         "Anonymise les élèves des années scolaires terminées et les comptes inactifs depuis 2 ans ; "
         "supprime les liens expirés (cron quotidien).", _purge_args)
def purge_personal_data(args: argparse.Namespace) -> int:
    import datetime as dt

    from stages.services import retention

    today = None
    if args.today:
        try:
            today = dt.datetime.strptime(args.today, "%d/%m/%Y").date()
        except ValueError:
            print(f"Date invalide : {args.today} (attendu JJ/MM/AAAA)", file=sys.stderr)
            return 2
    for line in retention.purge_personal_data(today=today, dry_run=args.dry_run).lines():
        print(line)
    return 0


@command("send-outbox", "Envoie par SMTP les courriels dus : nouveaux, et échecs dont l'heure de nouvel essai "
         "est venue (cron, chaque minute ; plusieurs envois en parallèle ne doublent rien).")
def send_outbox(_args: argparse.Namespace) -> int:
    from stages.config import get_settings
    from stages.services import mail

    if not get_settings().smtp_enabled:
        print("Aucun serveur SMTP configuré (SMTP_HOST) : les courriels restent dans la boîte d'envoi.")
        return 0
    print(f"Courriels envoyés : {mail.deliver_due(limit=1000)}")
    return 0


def _show_outbox_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", help="seulement les courriels à cette adresse")
    p.add_argument("--limit", type=int, default=10, help="nombre de courriels (les plus récents ; 10 par défaut)")


@command("show-outbox", "Affiche les derniers courriels de la boîte d'envoi, liens compris (développement local, "
         "sans SMTP : c'est ainsi qu'on lit un lien d'activation).", _show_outbox_args)
def show_outbox(args: argparse.Namespace) -> int:
    from stages.services import mail

    entries = mail.outbox(to=args.to, limit=max(1, min(args.limit, 500)))
    if not entries:
        print("Aucun courriel.")
    for entry in reversed(entries):
        print(f"--- n° {entry.id} · {entry.created} · {entry.status} · à {entry.to}")
        print(f"Objet : {entry.subject}")
        print(entry.body_text)
        print()
    return 0


@command("expire-candidatures", "Enregistre l'expiration des candidatures sans réponse dans le délai (cron, idempotent).")
def expire_candidatures(_args: argparse.Namespace) -> int:
    from stages.services.candidatures import jobs

    print(f"Candidatures expirées : {jobs.expire_candidatures()}")
    _deliver_before_exit()
    return 0


@command("send-reminders", "Prévient chaque directeur, une fois, des candidatures qui expirent sous 3 jours (cron).")
def send_reminders(_args: argparse.Namespace) -> int:
    from stages.services.candidatures import jobs

    print(f"Courriels de rappel : {jobs.send_reminders()}")
    _deliver_before_exit()
    return 0


@command("send-convention-reminders",
         "Relance chaque partie dont la partie ou la signature de convention manque (cron quotidien).")
def send_convention_reminders(_args: argparse.Namespace) -> int:
    from stages.services.conventions import reminders

    report = reminders.send_reminders()
    for line in report.lines():
        print(line)
    _deliver_before_exit()
    return 1 if report.errors else 0


def _deliver_before_exit() -> None:
    """A command's process ends here: its mails are sent now rather than by the next send-outbox."""
    from stages.services import mail

    mail.deliver_due(limit=1000)


def _synthetic_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scale", required=True, choices=["dsden", "academie", "national"])
    p.add_argument("--seed", type=int, default=1, help="graine : la même graine redonne les mêmes données")
    p.add_argument("--quiet", action="store_true", help="sans barre de progression")


@command("seed-synthetic", "Génère des données synthétiques (dsden, academie, national) dans DATABASE_URL (additif).",
         _synthetic_args)
def seed_synthetic(args: argparse.Namespace) -> int:
    from db import ensure_database
    from stages.seed import synthetic

    ensure_database()
    for line in synthetic.generate(args.scale, seed=args.seed, show_progress=not args.quiet).lines():
        print(line)
    return 0


# --------------------------------------------------------------------------- entry point


def build_parser() -> Parser:
    parser = Parser(prog="manage.py", description="Administration de Stages de seconde (DSDEN 71).")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name, (help_text, configure, _func) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text, description=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    from stages import logs

    logs.configure()
    logs.set_actor(f"manage.py {args.command}")
    try:
        return COMMANDS[args.command][2](args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, never a traceback
        print(f"manage.py {args.command}: erreur: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
