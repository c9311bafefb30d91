#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys

# Commands that only read the models and write source files, never serve or touch a database: they
# get the development settings unless DEBUG is set, so `makemigrations --check` runs in a bare shell
# (CI, a hook) without the production secrets.
OFFLINE_COMMANDS = {"makemigrations"}


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focusflow.settings")
    if len(sys.argv) > 1 and sys.argv[1] in OFFLINE_COMMANDS:
        os.environ.setdefault("DEBUG", "true")
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        # Read the settings first: Django's command line keeps a settings error to itself and
        # some commands (migrate, say) then fail with "Models aren't loaded yet".
        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:  # a bad or missing setting: say which, without a traceback
        sys.exit(f"FocusFlow cannot start: {exc}")


if __name__ == "__main__":
    main()
