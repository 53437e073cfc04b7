"""Offers of a school: the three-step form "Déposer une offre de stage" and "Mes offres".

- Each step is saved as soon as it is validated (an ``Offer`` row with ``status="draft"`` and
  ``step_reached``), so leaving, reloading or losing the connection loses nothing: the form
  resumes the director's open draft of the campaign from the database.
- Draft creation is idempotent (``form_key``: one row per form instance; and one open draft per
  director and campaign, resumed rather than duplicated). Creation locks the school's row so two
  tabs on PostgreSQL cannot both create one (SQLite write transactions are already serialised).
- Publication is a conditional UPDATE (``draft -> published WHERE status='draft'``): a double
  click or two tabs publish one offer once.
- Every call checks that the offer belongs to the director's school. Every status change is
  recorded in ``StatusChange`` with its author.

Modules, by use case: ``drafting`` (open the form, save a step, autosave), ``publishing`` (publish,
unpublish, republish), ``my_offers`` (the list "Mes offres", open, delete a draft, duplicate,
the detail's lines); ``common`` holds what they share (fields, ``OfferForm``, ownership check).
Import from the module of the use case: this package re-exports nothing.
"""
