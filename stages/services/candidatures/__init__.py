"""Candidatures: students browse offers and apply; directors answer within the campaign's delay.

Rules (see ``stages.domain.candidatures``):
- the deadline is fixed at submission (submission + the campaign's delay, in real hours);
  from that minute the candidature is "Expirée" in every view, whether or not
  ``manage.py expire-candidatures`` has run, and no answer is accepted any more: the write
  transaction re-checks the deadline with the current time;
- an offer's remaining places = its number of students − its accepted candidatures; an accept
  locks the offer row (``SELECT … FOR UPDATE`` on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite)
  before counting, so two directors or a bulk accept can never over-book;
- one candidature per student and offer (unique constraint): a double click or a second tab
  gets the existing one back;
- every status change is stored in ``StatusChange`` with its author and time.

Modules, by use case: ``catalogue`` (offers a student may apply to), ``applications`` (apply,
withdraw, decline), ``inbox`` (the director's tabs, opening one), ``answers`` (accept, refuse,
in bulk), ``exports`` (table, file), ``jobs`` (expiry and reminders, for cron);
``common`` holds what they share. The mails' texts are in ``stages.services.mail_templates``.
"""
