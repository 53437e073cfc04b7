"""Data makers, not use cases: ``demo`` (a small demonstration world, ``manage.py seed-demo``) and
``synthetic`` (national-scale generated data for the benchmarks, ``manage.py generate-synthetic``)."""
