"""Conventions de stage: the signature circuit's use cases, one small module each.

- ``views``: the rows (a light per party, what is missing in words, the caller's action) and the detail;
- ``parts``: completing the host, lycée and student parts (an edit after a signature resets them);
- ``signing``: signing, bulk signing by the lycée head, the legal representative's mailed link;
- ``files``: the PDF, and "signée hors plateforme" uploads;
- ``lifecycle``: the hook that cancels a convention when its candidature is declined;
- ``reminders``: ``manage.py send-convention-reminders``;
- ``tracking``: the DSDEN's figures per circonscription and the table of stages starting soon.

The rules live in ``stages.domain.conventions``; each function checks its caller's permissions.
"""
