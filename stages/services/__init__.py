"""Services: the use cases. Pages call these; these call ``db``.

Each public function opens its own unit of work, checks the caller's permissions, applies
the rules of ``stages.domain`` and returns plain values (dataclasses, dicts, DataFrames),
never ORM objects bound to a session.
"""
