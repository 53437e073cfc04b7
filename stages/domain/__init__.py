"""The vocabulary (``vocabulary``) and every rule of the domain, each in one function, with its SQL
expression built beside it when a query needs it. No database layer, no Streamlit
(``tests/unit/test_import_rules.py`` checks it)."""
