"""The data model: SQLAlchemy 2 typed mappings of every table of the application.

Conventions:
- every datetime is stored as a *naive UTC* value (``stages.domain.timeutil.utcnow``) so
  that SQLite and PostgreSQL behave the same; pages convert to Europe/Paris for display;
- enumerations are stored as short strings (the ``StrEnum`` classes of
  ``stages.domain.vocabulary`` list the values) so that a later value needs no migration
  of a database enum type;
- every referential row and every campaign carries its département and académie codes,
  because one deployment will serve several DSDENs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from stages.domain.candidatures import DEFAULT_RESPONSE_DELAY_DAYS
from stages.domain.timeutil import utcnow
from stages.domain.vocabulary import (  # noqa: F401 - re-exported: the stored vocabulary
    CandidatureStatus,
    MailStatus,
    OfferStatus,
    Period,
    Role,
    TokenPurpose,
)


class Base(DeclarativeBase):
    pass


# --------------------------------------------------------------------------- referential


class Circonscription(Base):
    __tablename__ = "circonscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)  # the IEN office's UAI, e.g. 0710092P
    name: Mapped[str] = mapped_column(String(200))  # official long name
    short_name: Mapped[str] = mapped_column(String(120))  # "Autun", "Chalon-sur-Saône I"
    address: Mapped[str | None] = mapped_column(String(250))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    commune: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    departement_code: Mapped[str] = mapped_column(String(3), index=True)
    academie_code: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    schools: Mapped[list[School]] = relationship(back_populates="circonscription")


class School(Base):
    """An école (maternelle, élémentaire or primaire) of the referential."""

    __tablename__ = "schools"

    id: Mapped[int] = mapped_column(primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    school_type: Mapped[str] = mapped_column(String(20))  # maternelle | élémentaire | primaire
    sector: Mapped[str] = mapped_column(String(10))  # Public | Privé
    private_contract: Mapped[str | None] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(250))
    address_complement: Mapped[str | None] = mapped_column(String(250))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    commune: Mapped[str] = mapped_column(String(120), default="")
    code_commune: Mapped[str | None] = mapped_column(String(10))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    circonscription_id: Mapped[int | None] = mapped_column(ForeignKey("circonscriptions.id"), index=True)
    rep: Mapped[bool] = mapped_column(Boolean, default=False)
    rep_plus: Mapped[bool] = mapped_column(Boolean, default=False)
    qpv: Mapped[bool | None] = mapped_column(Boolean)  # None: not known (the annuaire has no QPV)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(20), default="OUVERT")  # OUVERT | A FERMER
    departement_code: Mapped[str] = mapped_column(String(3), index=True)
    academie_code: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow, index=True)  # 0002

    circonscription: Mapped[Circonscription | None] = relationship(back_populates="schools")


class Lycee(Base):
    """A lycée of the referential: students come from one."""

    __tablename__ = "lycees"

    id: Mapped[int] = mapped_column(primary_key=True)
    uai: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(10))
    nature: Mapped[str | None] = mapped_column(String(120))
    voie_generale: Mapped[bool] = mapped_column(Boolean, default=False)
    voie_technologique: Mapped[bool] = mapped_column(Boolean, default=False)
    voie_professionnelle: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(250))
    postal_code: Mapped[str | None] = mapped_column(String(10))
    commune: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    rep: Mapped[bool] = mapped_column(Boolean, default=False)
    qpv: Mapped[bool | None] = mapped_column(Boolean)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    state: Mapped[str] = mapped_column(String(20), default="OUVERT")
    departement_code: Mapped[str] = mapped_column(String(3), index=True)
    academie_code: Mapped[str] = mapped_column(String(3))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    @property
    def general_or_technological(self) -> bool:
        return self.voie_generale or self.voie_technologique


# --------------------------------------------------------------------------- accounts


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(20), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    function: Mapped[str | None] = mapped_column(String(150))
    # Stored normalised (trimmed, lower case): the unique index makes the address unique
    # whatever letter case the user typed.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(100))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    lycee_id: Mapped[int | None] = mapped_column(ForeignKey("lycees.id"), index=True)
    circonscription_id: Mapped[int | None] = mapped_column(ForeignKey("circonscriptions.id"), index=True)
    departement_code: Mapped[str] = mapped_column(String(3))
    activated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    terms_accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    failed_login_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # 0007: created with a provisional password (staff accounts): to be changed at first login.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # 0004: bumped by a password change or reset and by "Se déconnecter" (everywhere); a browser
    # session remembers the value it logged in with and ends when it differs.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    school: Mapped[School | None] = relationship()
    lycee: Mapped[Lycee | None] = relationship()
    circonscription: Mapped[Circonscription | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.activated_at is not None and self.deactivated_at is None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class UserToken(Base):
    """A single-use token sent by mail (activation, password reset) or handed to a route.

    Only the SHA-256 of the token is stored.
    """

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    user: Mapped[User] = relationship()


class AuthSession(Base):
    """A login cookie (remembered, or for the browser session): the cookie carries the token, we keep its hash."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    # False: a browser-session cookie (login without "Se souvenir de moi"), ended after 30 idle minutes.
    persistent: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The account's User.session_generation when this login was checked: a newer one ends the cookie.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship()


# --------------------------------------------------------------------------- campaigns


class Campaign(Base):
    """One "stage de seconde" campaign of a département (one per school year)."""

    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("departement_code", "school_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    departement_code: Mapped[str] = mapped_column(String(3))
    academie_code: Mapped[str] = mapped_column(String(3))
    school_year: Mapped[str] = mapped_column(String(9))  # "2026-2027"
    week1_start: Mapped[dt.date] = mapped_column(Date)
    week1_end: Mapped[dt.date] = mapped_column(Date)
    week2_start: Mapped[dt.date] = mapped_column(Date)
    week2_end: Mapped[dt.date] = mapped_column(Date)
    response_delay_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_RESPONSE_DELAY_DAYS)
    offers_open_on: Mapped[dt.date] = mapped_column(Date)
    students_access_on: Mapped[dt.date] = mapped_column(Date)
    head_office_address: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # 0006: days a student has to confirm an accepted stage ("Je confirme ce stage").
    confirmation_delay_days: Mapped[int] = mapped_column(Integer, default=15, server_default="15")

    @property
    def two_weeks(self) -> tuple[dt.date, dt.date]:
        return self.week1_start, self.week2_end


# --------------------------------------------------------------------------- offers


class Offer(Base):
    """An offer of a school, with every field of the three steps of "Déposer une offre de stage"."""

    __tablename__ = "offers"
    __table_args__ = (
        Index("ix_offers_campaign_status", "campaign_id", "status"),
        Index("ix_offers_school_campaign", "school_id", "campaign_id"),
        Index("ix_offers_updated_at", "updated_at"),  # 0002: the dashboard's data version
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(20), default=OfferStatus.DRAFT)
    step_reached: Mapped[int] = mapped_column(Integer, default=1)  # last step validated (1..3)
    # Idempotency key of the form that created the draft: two submits of the same form,
    # or a double click, land on the same row.
    form_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    duplicated_from_id: Mapped[int | None] = mapped_column(ForeignKey("offers.id"))

    # Étape 1: Métier et localisation
    title: Mapped[str] = mapped_column(String(150), default="")  # le ou les métiers observés
    description: Mapped[str] = mapped_column(Text, default="")  # 10..1500
    place_name: Mapped[str] = mapped_column(String(200), default="")
    place_address: Mapped[str] = mapped_column(String(250), default="")
    place_postal_code: Mapped[str | None] = mapped_column(String(10))
    place_commune: Mapped[str] = mapped_column(String(120), default="")
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    # Étape 2: Votre entreprise
    siret: Mapped[str | None] = mapped_column(String(14))
    manual_structure: Mapped[bool] = mapped_column(Boolean, default=True)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    public_employer_type: Mapped[str | None] = mapped_column(String(200))
    sector: Mapped[str | None] = mapped_column(String(150))
    employer_name: Mapped[str] = mapped_column(String(150), default="")  # raison sociale
    head_office_address: Mapped[str] = mapped_column(String(200), default="")  # 8..200
    depositor_phone: Mapped[str | None] = mapped_column(String(20))  # never shown to students
    work_environment: Mapped[str | None] = mapped_column(Text)  # optional, 10..1000
    accessibility: Mapped[str | None] = mapped_column(Text)  # optional, 10..1000

    # Étape 3: Planning
    level_college: Mapped[bool] = mapped_column(Boolean, default=False)
    level_lycee: Mapped[bool] = mapped_column(Boolean, default=True)
    period: Mapped[str] = mapped_column(String(12), default=Period.TWO_WEEKS)
    max_students: Mapped[int] = mapped_column(Integer, default=1)  # 1..6000
    same_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    # {"lundi": ["08:30", "16:30"], ...}; with same_hours, one entry under "tous".
    daily_hours: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lunch_break: Mapped[str] = mapped_column(String(250), default="")  # 8..250
    reserved_lycee_id: Mapped[int | None] = mapped_column(ForeignKey("lycees.id"))
    reserved_rep: Mapped[bool] = mapped_column(Boolean, default=False)
    reserved_qpv: Mapped[bool] = mapped_column(Boolean, default=False)

    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    first_published_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    unpublished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship()
    school: Mapped[School] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    reserved_lycee: Mapped[Lycee | None] = relationship()


# --------------------------------------------------------------------------- candidatures


class Candidature(Base):
    __tablename__ = "candidatures"
    __table_args__ = (
        UniqueConstraint("offer_id", "student_id", name="uq_candidature_offer_student"),
        Index("ix_candidatures_offer_status", "offer_id", "status"),
        Index("ix_candidatures_status_deadline", "status", "deadline_at"),
        Index("ix_candidatures_updated_at", "updated_at"),  # 0002: the dashboard's data version
        Index("ix_candidatures_status_offer", "status", "offer_id"),  # 0002: places taken per offer
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    motivation: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=CandidatureStatus.SUBMITTED)
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # submitted_at + the campaign's response delay, fixed at submission; once accepted, the
    # student's confirmation deadline (acceptance + the campaign's confirmation delay, 0006).
    deadline_at: Mapped[dt.datetime] = mapped_column(DateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # withdrawn / declined / expired
    reminder_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # 0006
    waitlisted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)  # 0006
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    offer: Mapped[Offer] = relationship()
    student: Mapped[User] = relationship(foreign_keys=[student_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class StatusChange(Base):
    """History of every status change of an offer, a candidature or an account, with its author."""

    __tablename__ = "status_changes"
    __table_args__ = (Index("ix_status_changes_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity_type: Mapped[str] = mapped_column(String(20))  # offer | candidature | user
    entity_id: Mapped[int] = mapped_column(Integer)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system (cron)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    comment: Mapped[str | None] = mapped_column(Text)

    author: Mapped[User | None] = relationship()


class Convention(Base):
    """The internship agreement of an accepted candidature and its signature circuit."""

    __tablename__ = "conventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidature_id: Mapped[int] = mapped_column(ForeignKey("candidatures.id"), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="to_complete")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    generated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    signed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # 0005: the signature circuit (stages.domain.conventions has the rules and the status values).
    host_part: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    lycee_part: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    student_part: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    document_hash: Mapped[str | None] = mapped_column(String(64))  # of the current content
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reminders_sent: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {party: iso datetime of the last}
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    candidature: Mapped[Candidature] = relationship()
    signatures: Mapped[list[ConventionSignature]] = relationship(
        back_populates="convention", order_by="ConventionSignature.id")


class ConventionSignature(Base):
    """A simple electronic signature: who, when, the document hash signed, the client's address.
    ``invalidated_at`` is set when a part changed after it (the signature no longer counts)."""

    __tablename__ = "convention_signatures"
    __table_args__ = (Index("ix_convention_signatures_conv", "convention_id", "party"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"))
    party: Mapped[str] = mapped_column(String(20))  # host | student | legal_rep | lycee
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the legal representative
    signer_name: Mapped[str] = mapped_column(String(200))
    signer_email: Mapped[str] = mapped_column(String(254))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    document_hash: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str | None] = mapped_column(String(64))
    invalidated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    convention: Mapped[Convention] = relationship(back_populates="signatures")


class ConventionToken(Base):
    """The link mailed to a legal representative: only the SHA-256 of the token is stored;
    valid until the stage's first day, usable to sign once."""

    __tablename__ = "convention_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ConventionFile(Base):
    """A scanned convention signed outside the platform (PDF, size-capped, with its SHA-256)."""

    __tablename__ = "convention_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


# --------------------------------------------------------------------------- drafts


class FormDraft(Base):
    """Text a logged-in user is typing in a form, kept so that a reload loses nothing
    (e.g. the motivation message of a candidature before "Postuler")."""

    __tablename__ = "form_drafts"
    __table_args__ = (UniqueConstraint("user_id", "form_key", name="uq_form_draft_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    form_key: Mapped[str] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


# --------------------------------------------------------------------------- mail


class OutboxMail(Base):
    """Every mail the application sends: delivered by SMTP, or kept here for developers."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # activation, password_reset, new_candidature, ...
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(250))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=MailStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # 0004: retries with backoff, and one sender per mail.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime, index=True)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(40))


class RateLimit(Base):
    """0004: counters of sensitive requests (signup, reset, resend, failed logins) per address
    and per client, in the database so that they hold across app processes and replicas."""

    __tablename__ = "rate_limits"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # "reset:addr:<sha256>", "login:<sha256>:<client>"
    window_start: Mapped[dt.datetime] = mapped_column(DateTime)
    count: Mapped[int] = mapped_column(Integer, default=0)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)


# --------------------------------------------------------------------------- coverage actions (0006)


class SchoolRelaunch(Base):
    """One "Relancer les écoles sans offre" mail sent to a school (the outbox holds the mail)."""

    __tablename__ = "school_relaunches"
    __table_args__ = (Index("ix_school_relaunches_school_sent", "school_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    to_address: Mapped[str] = mapped_column(String(254))
    forced: Mapped[bool] = mapped_column(Boolean, default=False)


class DigestRun(Base):
    """The weekly digest sent to one recipient for one ISO week ("2026-W23"): sent once."""

    __tablename__ = "digest_runs"
    __table_args__ = (UniqueConstraint("user_id", "week_key", name="uq_digest_user_week"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week_key: Mapped[str] = mapped_column(String(10))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
