"""Mail: every message is written to the outbox inside the caller's unit of work, then delivered.

Delivery guarantees (see the README's "Sécurité" section):

- A use case calls :func:`queue_mail` inside its transaction, commits, then calls
  :func:`send_now`, which only wakes this process's background sender: no user action waits
  on SMTP, and no SMTP conversation ever happens inside a database transaction.
- :func:`deliver_due` (the background sender, and ``manage.py send-outbox`` from cron) claims
  due mails in a short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; on SQLite the
  claim is one ``UPDATE … WHERE status IN (due)`` under ``BEGIN IMMEDIATE``), so a mail is held
  by one sender only; it then talks SMTP outside any transaction and records each result in
  its own short transaction.
- A refused or failed mail is retried with a growing delay (``next_attempt_at``: 1, 2, 4 … 120
  minutes); after :data:`MAX_ATTEMPTS` it is "abandoned" and listed to the coordinator, who
  can send it again ("Renvoyer"). A message that cannot even be built (a bad address that
  slipped in) is abandoned at once: one message's failure never blocks the others.
- A sender that died while holding mails: its claim lapses after :data:`CLAIM_MINUTES`.

Without ``SMTP_HOST``, mails stay in the outbox with the status "captured". Developers read
them with ``manage.py show-outbox`` or, with ``DEV_OUTBOX=1``, on the page "Courriels envoyés
(dév.)" shown to a logged-in coordinator only (:func:`dev_outbox`).
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import smtplib
import threading
import uuid
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import or_, select, update

from db import read_session, write_session
from db.session import is_sqlite
from db.models import MailStatus, OutboxMail, Role
from stages.config import get_settings
from stages.domain.timeutil import fmt_datetime, utcnow
from stages.services.errors import NotFound, PermissionDenied
from stages.services.permissions import require_role

log = logging.getLogger("stages")

MAX_ATTEMPTS = 10
CLAIM_MINUTES = 10
BATCH = 20
SMTP_TIMEOUT = 15
DUE = (MailStatus.PENDING, MailStatus.FAILED)


def queue_mail(session, *, kind: str, to: str, subject: str, text: str, button: tuple[str, str] | None = None) -> OutboxMail:
    """Write a mail to the outbox (in the caller's transaction).

    ``button`` is (label, url): the HTML part shows it as a button, and the text part writes
    the link out in full, as the guide's activation mail does.
    """
    body_html = "".join(f"<p>{html.escape(p).replace(chr(10), '<br>')}</p>" for p in text.split("\n\n"))
    if button:
        label, url = button
        text = f"{text}\n\n{label} : {url}"
        body_html += (
            f'<p><a href="{html.escape(url)}" style="background:#000091;color:#fff;padding:10px 16px;'
            f'text-decoration:none;display:inline-block">{html.escape(label)}</a></p>'
            f"<p>Vous pouvez aussi copier/coller le lien suivant : <br>{html.escape(url)}</p>"
        )
    settings = get_settings()
    mail = OutboxMail(
        kind=kind,
        to_address=to,
        subject=subject[:250],
        body_text=text,
        body_html=body_html,
        status=MailStatus.PENDING if settings.smtp_enabled else MailStatus.CAPTURED,
        next_attempt_at=utcnow(),
    )
    session.add(mail)
    session.flush()
    return mail


def queue_text(session, to: str, message) -> OutboxMail:
    """Queue a mail written by ``stages.services.mail_templates`` (a ``MailText``)."""
    return queue_mail(session, kind=message.kind, to=to, subject=message.subject, text=message.text,
                      button=message.button)


def _message(mail: OutboxMail) -> EmailMessage:
    settings = get_settings()
    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = mail.to_address
    msg["Subject"] = mail.subject
    msg["Message-ID"] = make_msgid(domain="stages-seconde.local")
    msg.set_content(mail.body_text)
    if mail.body_html:
        msg.add_alternative(mail.body_html, subtype="html")
    # Fails here, not in the middle of the SMTP conversation, when a header cannot be written.
    msg.as_bytes()
    return msg


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next attempt after ``attempts`` failures: 1, 2, 4 … minutes, at most 2 hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 120))


# --------------------------------------------------------------------------- claim, send, record


@dataclass(frozen=True)
class _Claimed:
    id: int
    attempts: int
    message: EmailMessage | None
    problem: str | None  # the message could not be built: abandoned without an SMTP attempt


def _claim(sender: str, now: dt.datetime, limit: int) -> list[_Claimed]:
    """Take up to ``limit`` due mails for ``sender`` in one short transaction."""
    stale = now - dt.timedelta(minutes=CLAIM_MINUTES)
    due = or_(
        (OutboxMail.status.in_(DUE)) & or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
        (OutboxMail.status == MailStatus.SENDING) & (OutboxMail.claimed_at < stale),
    )
    with write_session() as session:
        if is_sqlite():
            # BEGIN IMMEDIATE: this UPDATE runs alone; a second sender sees the rows as "sending".
            ids = list(session.scalars(select(OutboxMail.id).where(due).order_by(OutboxMail.id).limit(limit)))
        else:
            ids = list(session.scalars(
                select(OutboxMail.id).where(due).order_by(OutboxMail.id).limit(limit).with_for_update(skip_locked=True)
            ))
        if not ids:
            return []
        session.execute(
            update(OutboxMail).where(OutboxMail.id.in_(ids), due)
            .values(status=MailStatus.SENDING, claimed_at=now, claimed_by=sender)
            .execution_options(synchronize_session=False)
        )
        rows = session.scalars(
            select(OutboxMail).where(OutboxMail.id.in_(ids), OutboxMail.claimed_by == sender,
                                     OutboxMail.status == MailStatus.SENDING).order_by(OutboxMail.id)
        ).all()
        claimed = []
        for row in rows:
            try:
                claimed.append(_Claimed(row.id, row.attempts, _message(row), None))
            except Exception as exc:  # noqa: BLE001 - a bad header: this mail only, never the batch
                claimed.append(_Claimed(row.id, row.attempts, None, f"message impossible à construire : {exc}"[:500]))
        return claimed


def _record(item: _Claimed, sender: str, now: dt.datetime, error: str | None, permanent: bool = False) -> bool:
    """Write one mail's result in its own short transaction; True when it was sent."""
    with write_session() as session:
        row = session.get(OutboxMail, item.id)
        if row is None or row.claimed_by != sender or row.status != MailStatus.SENDING:
            return False  # purged meanwhile, or our claim lapsed and another sender has it
        row.attempts = item.attempts + 1
        row.claimed_at = None
        row.claimed_by = None
        if error is None:
            row.status = MailStatus.SENT
            row.sent_at = now
            row.error = None
            row.next_attempt_at = None
            # Delivered: the copy we keep no longer needs the secret of its link.
            row.body_text = redact_tokens(row.body_text)
            row.body_html = redact_tokens(row.body_html)
            return True
        row.error = error[:1000]
        if permanent or row.attempts >= MAX_ATTEMPTS:
            row.status = MailStatus.ABANDONED
            row.next_attempt_at = None
        else:
            row.status = MailStatus.FAILED
            row.next_attempt_at = now + backoff(row.attempts)
        return False


def _connect():
    settings = get_settings()
    smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
    try:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _permanent(exc: Exception) -> bool:
    """A 5xx answer for this message (a refused recipient): retrying will not help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(int(code) >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException) and not isinstance(exc, smtplib.SMTPServerDisconnected):
        return exc.smtp_code >= 500
    return False


def _send_batch(items: list[_Claimed], sender: str, now: dt.datetime) -> int:
    sent = 0
    buildable = [item for item in items if item.message is not None]
    for item in items:
        if item.message is None:
            _record(item, sender, now, item.problem, permanent=True)
    if not buildable:
        return 0
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as exc:
        for item in buildable:
            _record(item, sender, now, f"connexion SMTP impossible : {exc}")
        return 0
    try:
        for item in buildable:
            try:
                smtp.send_message(item.message)
            except smtplib.SMTPServerDisconnected as exc:
                _record(item, sender, now, f"connexion SMTP perdue : {exc}")
                smtp.close()
                try:
                    smtp = _connect()
                except (OSError, smtplib.SMTPException):
                    pass
            except (OSError, smtplib.SMTPException, ValueError, UnicodeError) as exc:
                _record(item, sender, now, str(exc) or type(exc).__name__, permanent=_permanent(exc))
                try:
                    smtp.rset()
                except (OSError, smtplib.SMTPException):
                    pass
            else:
                sent += _record(item, sender, now, None)
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return sent


def deliver_due(limit: int = 1000, now: dt.datetime | None = None) -> int:
    """Send the due mails (new ones and retries whose time has come); returns how many were sent.

    Safe to run concurrently (cron, several app processes): each mail is claimed by one sender.
    """
    settings = get_settings()
    if not settings.smtp_enabled:
        return 0
    sender = uuid.uuid4().hex
    sent = 0
    remaining = limit
    while remaining > 0:
        claim_time = now or utcnow()
        items = _claim(sender, claim_time, min(BATCH, remaining))
        if not items:
            break
        remaining -= len(items)
        sent += _send_batch(items, sender, now or utcnow())
    return sent


def deliver_pending(limit: int = 100) -> int:
    """Former name of :func:`deliver_due` (kept for scripts)."""
    return deliver_due(limit=limit)


_TOKEN_IN_LINK = re.compile(r"([?&]token=)[\w-]+")


def redact_tokens(body: str | None) -> str | None:
    """Masks the token of every link (activation, password reset) once the mail has been delivered."""
    return _TOKEN_IN_LINK.sub(r"\1(masqué après envoi)", body) if body else body


# --------------------------------------------------------------------------- background sender


class _Sender:
    """One daemon thread per process that runs :func:`deliver_due` when woken (coalesced)."""

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            try:
                deliver_due(limit=200)
            except Exception:  # noqa: BLE001 - the mails stay due; cron's send-outbox retries them
                log.exception("Envoi des courriels en arrière-plan")


_sender = _Sender()


def send_now() -> None:
    """After a commit: deliver what a use case just queued, in the background (returns at once)."""
    if get_settings().smtp_enabled:
        _sender.wake()


# --------------------------------------------------------------------------- reading the outbox


@dataclass(frozen=True)
class OutboxEntry:
    id: int
    kind: str
    to: str
    subject: str
    body_text: str
    status: str
    created: str


def outbox(to: str | None = None, limit: int = 50) -> list[OutboxEntry]:
    """The latest mails, for operators' tools only (``manage.py show-outbox``, tests).

    Never called by a page: the app's page goes through :func:`dev_outbox`, which checks its caller.
    """
    with read_session() as session:
        query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)
        if to:
            query = query.where(OutboxMail.to_address == to.strip().lower())
        return [
            OutboxEntry(m.id, m.kind, m.to_address, m.subject, m.body_text, m.status, fmt_datetime(m.created_at))
            for m in session.scalars(query)
        ]


def dev_outbox_enabled(user) -> bool:
    """The developers' page exists for this caller: ``DEV_OUTBOX`` set and a logged-in coordinator."""
    return bool(get_settings().dev_outbox) and user is not None and user.role == Role.COORDINATOR


def dev_outbox(user, limit: int = 50) -> list[OutboxEntry]:
    """The developers' outbox (it shows activation and reset links): never to a stranger."""
    require_role(user, Role.COORDINATOR)
    if not get_settings().dev_outbox:
        raise PermissionDenied("La boîte d'envoi de développement est désactivée (DEV_OUTBOX).")
    return outbox(limit=limit)


# --------------------------------------------------------------------------- abandoned mails


@dataclass(frozen=True)
class AbandonedMail:
    id: int
    kind: str
    to: str
    subject: str
    attempts: int
    error: str
    created: str


def abandoned_mails(user, limit: int = 200) -> list[AbandonedMail]:
    """Mails the app gave up on, for the coordinator (newest first)."""
    require_role(user, Role.COORDINATOR)
    with read_session() as session:
        rows = session.scalars(
            select(OutboxMail).where(OutboxMail.status == MailStatus.ABANDONED).order_by(OutboxMail.id.desc()).limit(limit)
        )
        return [AbandonedMail(m.id, m.kind, m.to_address, m.subject, m.attempts, m.error or "",
                              fmt_datetime(m.created_at)) for m in rows]


def retry_mail(user, mail_id: int, now: dt.datetime | None = None) -> str:
    """"Renvoyer": an abandoned mail gets a fresh series of attempts, starting now."""
    require_role(user, Role.COORDINATOR)
    now = now or utcnow()
    with write_session() as session:
        row = session.get(OutboxMail, int(mail_id)) if 0 < int(mail_id) < 2**31 else None
        if row is None or row.status != MailStatus.ABANDONED:
            raise NotFound("Ce courriel n'est plus en échec (déjà renvoyé ou supprimé).")
        row.status = MailStatus.PENDING if get_settings().smtp_enabled else MailStatus.CAPTURED
        row.attempts = 0
        row.next_attempt_at = now
        row.error = None
        to = row.to_address
    send_now()
    return f"Le courriel à {to} est de nouveau en file d'envoi."
