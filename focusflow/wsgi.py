"""The web process's WSGI application (gunicorn focusflow.wsgi, see the Procfile)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "focusflow.settings")

application = get_wsgi_application()

# A web process that started before collectstatic would answer every page with a 500: refuse to start.
from focusflow.checks import refuse_to_serve_without_static_manifest  # noqa: E402  (needs Django set up)

refuse_to_serve_without_static_manifest()
