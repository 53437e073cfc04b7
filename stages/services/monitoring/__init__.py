"""Monitoring of a campaign ("Tableau de bord"): offers, places and coverage per circonscription.

Who sees what: a coordinator sees the whole département; an IEN sees their own
circonscription only, whatever ids they pass (``permissions.allowed_circonscription_ids``),
in every figure, table and export.

Every figure is an SQL aggregate (GROUP BY in the database); long tables are paginated.
Definitions (the README's "Monitoring" section says the same):

- *scope*: the schools of the user's département in the chosen circonscriptions and school
  types; the *campaign*: the chosen one, by default the current school year's;
- *schools in the referential*: every school of the scope (whatever its state);
- *published offer*: an offer of the campaign whose status is ``published`` now;
- *schools with an offer*: schools of the scope with at least one published offer;
  *coverage rate* = schools with an offer / schools in the referential;
- *places offered*: sum of ``max_students`` of the published offers;
- *candidatures received*: every candidature (any status) to an offer of the campaign, whatever
  the offer's status now (a candidature can only be sent to a published offer);
- the status of a candidature is its *effective* status: ``expired`` when it is, or when it is
  still waiting (``submitted``/``read``) and its deadline has passed, computed in SQL with the
  current UTC time, so the figures are right without the expiry cron;
- *places filled*: accepted candidatures; *places remaining*: over the published offers, the sum
  of ``max(0, max_students - accepted candidatures of the offer)``.

Caching: results are memoised per (database, function, scope, filters, page, minute) and a
*data version* read with one small query (index lookups: latest ids and ``updated_at`` of
offers, candidatures, schools and campaigns, count of offers, latest status change): any write
changes the version. The version itself is kept for 2 s, and dropped at once after any commit
made by this process, so a write here is seen on the next rerun and one made by another process
within 2 s; the minute in the key keeps the expiry of deadlines exact to the minute.

Modules, by what they give: ``scope`` (filters, the user's perimeter), ``cache`` (memo and data
version), ``sql`` (per-offer and per-school aggregates), ``figures`` (the dashboard's figures,
weekly publications, map), ``tables`` (the lists to act on, paginated), ``exports`` (CSV/XLSX).
"""
