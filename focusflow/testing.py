"""A pytest plugin (pytest.ini: `-p focusflow.testing`) that gives the test process what production
requires before Django reads its settings (pytest-django loads them before any conftest.py).

DEBUG stays unset, so the suite runs with the production defaults (secure cookies, manifest static
files, no debug pages); only the two values production must be given get throwaway test values.
A value already in the environment wins. Processes the tests start inherit these."""

import os

os.environ.setdefault("SECRET_KEY", "test-suite-only-key-3f9c1a7e5b2d8064c1e9a7f3b5d2c8e0a6f4b1d9e7c3a5f2")
os.environ.setdefault("EMAIL_URL", "dummy://")  # the tests' own mail goes to django.core.mail.outbox
