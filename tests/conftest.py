"""Test-wide settings.

Hypothesis fails an example that runs longer than its deadline (200 ms by default): that is a
timed assertion, and on a loaded 2-core machine it fails tests that are correct. Speed is measured by
the scripts in benchmarks/, so no property test here has a deadline.
"""

from hypothesis import settings

settings.register_profile("no_deadline", deadline=None)
settings.load_profile("no_deadline")
