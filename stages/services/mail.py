"""Mail: every message is written to the outbox inside the caller's unit of work, then delivered.

With ``SMTP_HOST`` set, :func:`deliver_pending` sends the pending mails by SMTP (called after
each commit by :func:`send_now`, and by ``manage.py send-outbox`` for retries). Without it,
mails stay in the outbox with the status "captured", readable in the app's developer page
"Courriels envoyés".
"""

from __future__ import annotations

import html
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy import select

from db import read_session, write_session
from db.models import MailStatus, OutboxMail
from stages.config import get_settings
from stages.domain.timeutil import fmt_datetime, utcnow

MAX_ATTEMPTS = 5


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
        subject=subject,
        body_text=text,
        body_html=body_html,
        status=MailStatus.PENDING if settings.smtp_enabled else MailStatus.CAPTURED,
    )
    session.add(mail)
    session.flush()
    return mail


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
    return msg


def deliver_pending(limit: int = 100) -> int:
    """Send pending mails by SMTP; returns how many were sent. Failures are kept for a retry."""
    settings = get_settings()
    if not settings.smtp_enabled:
        return 0
    with write_session() as session:
        mails = list(
            session.scalars(
                select(OutboxMail)
                .where(OutboxMail.status.in_([MailStatus.PENDING, MailStatus.FAILED]))
                .where(OutboxMail.attempts < MAX_ATTEMPTS)
                .order_by(OutboxMail.id)
                .limit(limit)
            )
        )
        if not mails:
            return 0
        sent = 0
        try:
            smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15)
        except OSError as exc:
            for mail in mails:
                mail.attempts += 1
                mail.status = MailStatus.FAILED
                mail.error = f"connexion SMTP impossible : {exc}"
            return 0
        with smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            for mail in mails:
                mail.attempts += 1
                try:
                    smtp.send_message(_message(mail))
                except smtplib.SMTPException as exc:
                    mail.status = MailStatus.FAILED
                    mail.error = str(exc)
                else:
                    mail.status = MailStatus.SENT
                    mail.sent_at = utcnow()
                    mail.error = None
                    # Delivered: the copy we keep no longer needs the secret of its link.
                    mail.body_text = redact_tokens(mail.body_text)
                    mail.body_html = redact_tokens(mail.body_html)
                    sent += 1
        return sent


_TOKEN_IN_LINK = re.compile(r"([?&]token=)[\w-]+")


def redact_tokens(body: str | None) -> str | None:
    """Masks the token of every link (activation, password reset) once the mail has been delivered."""
    return _TOKEN_IN_LINK.sub(r"\1(masqué après envoi)", body) if body else body


def send_now() -> None:
    """Deliver what a use case just queued; never lets an SMTP failure reach the user."""
    try:
        deliver_pending()
    except Exception:  # noqa: BLE001 - the mail stays in the outbox, marked for a retry
        pass


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
    """The latest mails (for the developers' page and the tests)."""
    with read_session() as session:
        query = select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit)
        if to:
            query = query.where(OutboxMail.to_address == to.strip().lower())
        return [
            OutboxEntry(m.id, m.kind, m.to_address, m.subject, m.body_text, m.status, fmt_datetime(m.created_at))
            for m in session.scalars(query)
        ]


def queue_text(session, to: str, message) -> OutboxMail:
    """Queue a mail written by ``stages.services.mail_templates`` (a ``MailText``)."""
    return queue_mail(session, kind=message.kind, to=to, subject=message.subject, text=message.text,
                      button=message.button)
