"""``manage.py check-deploy``: is this configuration safe and consistent for production?

Like Django's ``check --deploy``: each check gives an error (the command then exits non-zero), a
warning, or nothing. Every message says what to change, in French, for the IT team.
"""

from __future__ import annotations

import json
import re
import ssl
import stat
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from stages.config import get_settings

BCRYPT_MIN = 12


@dataclass
class DeployReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def lines(self) -> list[str]:
        out = [f"ERREUR : {m}" for m in self.errors] + [f"ATTENTION : {m}" for m in self.warnings]
        out += [f"OK : {m}" for m in self.passed]
        if self.ok:
            out.append("Configuration prête pour la production." if not self.warnings
                       else "Aucune erreur ; lisez les avertissements ci-dessus.")
        else:
            out.append(f"{len(self.errors)} problème(s) à corriger avant la mise en production.")
        return out


def _check_settings(report: DeployReport) -> None:
    settings = get_settings()
    if settings.dev_outbox:
        report.errors.append("DEV_OUTBOX est activé : la boîte d'envoi des développeurs montre aux coordinateurs "
                             "les courriels (liens d'activation, de mot de passe) dans l'application. "
                             "Retirez DEV_OUTBOX ou mettez DEV_OUTBOX=0.")
    else:
        report.passed.append("boîte d'envoi des développeurs désactivée (DEV_OUTBOX=0)")
    if not settings.smtp_enabled:
        report.errors.append("aucun serveur SMTP (SMTP_HOST) : aucun courriel ne partirait (activation, "
                             "mot de passe oublié, réponses aux candidatures).")
    else:
        report.passed.append(f"serveur SMTP {settings.smtp_host}:{settings.smtp_port}")
    base = urlsplit(settings.app_base_url)
    if base.scheme != "https" or not base.hostname:
        report.errors.append(f"APP_BASE_URL ({settings.app_base_url}) n'est pas en https : les liens des courriels "
                             "et les cookies de connexion doivent passer par TLS.")
    else:
        report.passed.append(f"APP_BASE_URL en https ({settings.app_base_url})")
    sqlite = settings.database_url.startswith("sqlite")
    if sqlite and settings.app_servers > 1:
        report.errors.append(f"SQLite avec APP_SERVERS={settings.app_servers} serveurs d'application : plusieurs "
                             "serveurs demandent PostgreSQL (DATABASE_URL=postgresql+psycopg://…).")
    elif sqlite:
        report.warnings.append("SQLite : convient à un seul serveur d'application ; PostgreSQL pour en ajouter.")
    else:
        report.passed.append(f"PostgreSQL pour {settings.app_servers} serveur(s) d'application")
    rounds = settings.bcrypt_rounds
    if rounds < BCRYPT_MIN:
        report.errors.append(f"coût bcrypt {rounds} (BCRYPT_ROUNDS) : {BCRYPT_MIN} au moins en production.")
    else:
        report.passed.append(f"coût bcrypt {rounds}")


def _check_database(report: DeployReport) -> None:
    from db.session import current_revision, head_revision

    try:
        current = current_revision()
    except Exception as exc:  # noqa: BLE001 - said, not raised
        report.errors.append(f"la base de données ne répond pas ({type(exc).__name__}) : vérifiez DATABASE_URL.")
        return
    head = head_revision()
    if current != head:
        report.errors.append(f"migrations non appliquées (base : {current or 'vide'}, code : {head}) : "
                             "lancez « python manage.py init-db ».")
        return
    report.passed.append(f"migrations à jour ({head})")
    from stages.seed import demo

    if demo.is_seeded():
        report.errors.append("les comptes de démonstration sont présents (mot de passe public) : la base de "
                             "production doit être créée sans « seed-demo ».")
    else:
        report.passed.append("aucun compte de démonstration")


def _check_backups(report: DeployReport) -> None:
    folder = Path(get_settings().backup_dir)
    if not folder.is_dir():
        report.errors.append(f"le dossier des sauvegardes {folder} (BACKUP_DIR) n'existe pas : créez-le "
                             "(install -d -m 0700 -o stages …).")
        return
    mode = folder.stat().st_mode
    if mode & (stat.S_IROTH | stat.S_IXOTH | stat.S_IWOTH):
        report.errors.append(f"le dossier des sauvegardes {folder} est lisible par tous "
                             f"(droits {stat.filemode(mode)}) : chmod 0700.")
        return
    exposed = [p.name for p in folder.iterdir() if p.is_file() and p.stat().st_mode & stat.S_IROTH]
    if exposed:
        report.errors.append(f"sauvegardes lisibles par tous dans {folder} : {', '.join(sorted(exposed)[:5])} "
                             "(chmod 0600).")
        return
    report.passed.append(f"sauvegardes dans {folder}, réservées à leur propriétaire")


_SERVER_NAME = re.compile(r"^\s*server_name\s+([^;]+);", re.MULTILINE)
_HOST_HEADER = re.compile(r"^\s*proxy_set_header\s+Host\s+(\S+);", re.MULTILINE)


def _check_proxy_site(report: DeployReport) -> None:
    """The nginx site (NGINX_SITE): its server_name names APP_BASE_URL's host, and Host keeps the port."""
    path = Path(get_settings().nginx_site)
    base = urlsplit(get_settings().app_base_url)
    if not path.is_file():
        report.warnings.append(f"site nginx {path} (NGINX_SITE) introuvable : sa cohérence avec APP_BASE_URL "
                               "n'est pas vérifiée.")
        return
    text = re.sub(r"#.*", "", path.read_text(encoding="utf-8", errors="replace"))
    names = {n for match in _SERVER_NAME.findall(text) for n in match.split()}
    if base.hostname and names and base.hostname not in names and "_" not in names:
        report.errors.append(f"APP_BASE_URL ({base.hostname}) ne correspond à aucun server_name du site nginx "
                             f"{path} ({', '.join(sorted(names))}) : le navigateur ne serait pas mémorisé.")
        return
    if base.port and base.port != 443 and "$host" in _HOST_HEADER.findall(text):
        report.errors.append(f"le site nginx {path} transmet « Host $host », qui perd le port {base.port} "
                             "d'APP_BASE_URL : utilisez « proxy_set_header Host $http_host; ».")
        return
    report.passed.append(f"site nginx {path} cohérent avec APP_BASE_URL")


def _check_live(report: DeployReport, timeout: float) -> None:
    """Through the proxy, as a browser: /app/health answers, and the origin it sees is APP_BASE_URL's."""
    url = get_settings().app_base_url + "/app/health"
    request = urllib.request.Request(url, headers={"User-Agent": "stages-check-deploy"})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=ssl.create_default_context()) as response:
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        try:
            body = json.loads(exc.read().decode("utf-8"))
        except ValueError:
            report.errors.append(f"{url} répond {exc.code} sans le rapport de santé de l'application.")
            return
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        report.warnings.append(f"{url} ne répond pas ({reason}) : le proxy n'est pas vérifié "
                               "(relancez check-deploy une fois les services démarrés).")
        return
    if body.get("status") != "ok":
        report.errors.append(f"{url} : l'application signale un problème (base : {body.get('database')}, "
                             f"migrations : {body.get('migrations')}).")
    if body.get("base_url_matches") is False:
        report.errors.append(f"le proxy ne transmet pas l'adresse d'APP_BASE_URL ({get_settings().app_base_url}) "
                             "à l'application (en-têtes Host et X-Forwarded-Proto) : « Se souvenir de moi » et "
                             "le maintien de la connexion seraient refusés. Corrigez APP_BASE_URL ou le site nginx.")
    elif body.get("status") == "ok":
        report.passed.append(f"{url} répond à travers le proxy, avec l'adresse d'APP_BASE_URL")


def check_deploy(*, live: bool = True, timeout: float = 5.0) -> DeployReport:
    report = DeployReport()
    _check_settings(report)
    _check_database(report)
    _check_backups(report)
    _check_proxy_site(report)
    if live:
        _check_live(report, timeout)
    return report


__all__ = ["DeployReport", "check_deploy"]
