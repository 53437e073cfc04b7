"""The application's vocabulary: roles, statuses and periods, as the database stores them.

Each class is a ``StrEnum``: a member *is* its stored string (``Role.DIRECTOR == "director"``),
so the columns stay plain strings (a new value needs no migration) and code compares members,
never retyped literals. ``db/models.py`` imports these; nothing here imports the database.
"""

from __future__ import annotations

from enum import StrEnum, nonmember


class Role(StrEnum):
    DIRECTOR = "director"
    STUDENT = "student"
    COORDINATOR = "coordinator"
    IEN = "ien"
    LYCEE_HEAD = "lycee_head"  # chef d'établissement of a lycée (conventions)
    ALL = nonmember((DIRECTOR, STUDENT, COORDINATOR, IEN, LYCEE_HEAD))


class OfferStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    UNPUBLISHED = "unpublished"
    ARCHIVED = "archived"
    ALL = nonmember((DRAFT, PUBLISHED, UNPUBLISHED, ARCHIVED))


class CandidatureStatus(StrEnum):
    SUBMITTED = "submitted"  # reçue, not yet opened by the director
    READ = "read"  # opened by the director
    ACCEPTED = "accepted"
    REFUSED = "refused"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"  # cancelled by the student before an answer
    DECLINED = "declined"  # accepted, then declined by the student (frees the place)
    PENDING = nonmember((SUBMITTED, READ))
    ALL = nonmember((SUBMITTED, READ, ACCEPTED, REFUSED, EXPIRED, WITHDRAWN, DECLINED))


class Period(StrEnum):
    TWO_WEEKS = "two_weeks"
    WEEK_1 = "week_1"
    WEEK_2 = "week_2"
    ALL = nonmember((TWO_WEEKS, WEEK_1, WEEK_2))


class TokenPurpose(StrEnum):
    ACTIVATION = "activation"
    PASSWORD_RESET = "password_reset"
    LOGIN_HANDOFF = "login_handoff"  # one-shot token a page hands to the cookie route
    ALL = nonmember((ACTIVATION, PASSWORD_RESET, LOGIN_HANDOFF))


class MailStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    CAPTURED = "captured"  # no SMTP configured: kept in the outbox for developers
    SENDING = "sending"  # 0004: claimed by one sender (stages.services.mail.deliver_due)
    ABANDONED = "abandoned"  # 0004: given up after MAX_ATTEMPTS or unsendable; listed to the coordinator
