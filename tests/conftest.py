"""Test configuration: property tests draw the same examples on every run.

Hypothesis derives its examples from each test's name here (``derandomize``), so a run of the
suite is reproducible: a failure in CI is a failure on every machine, not a draw that may not
come again. To explore new examples locally, run with ``--hypothesis-profile=explore``.
"""

from hypothesis import settings

settings.register_profile("reproducible", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile("reproducible")
