"""Administration by the DSDEN's coordinators, one small module per use case.

- ``campaign_settings``: **Campagne**, a school year's periods, delays, opening dates and head office;
- ``referential_import``: **Référentiel**, preview then import of the annuaire CSV;
- ``account_management``: **Comptes**, search, deactivate / reactivate, resend an activation, create
  coordinator and IEN accounts;
- ``status_history``: **Historique**, every status change, its export, and one account's history.

Every function checks that the caller is a coordinator (``require_role(user, Role.COORDINATOR)``)
and works within the caller's département.
"""
