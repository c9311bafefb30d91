"""System checks for what a deploy must have done before the web process serves a page.

With DEBUG off, pages link static files under hashed names read from collectstatic's manifest
(whitenoise's CompressedManifestStaticFilesStorage). If collectstatic never ran, or ran before a
file was added, every page that names such a file is a 500 ("Missing staticfiles manifest entry
for 'admin/css/base.css'"). So the manifest is checked where a deploy would notice: by
`manage.py check` and `migrate` (the release phase runs collectstatic first, see the Procfile),
and by the web process itself when it starts (focusflow/wsgi.py), which then refuses to serve.
"""

from __future__ import annotations

import os
import posixpath

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

RUN_COLLECTSTATIC = (
    "Run `python manage.py collectstatic --noinput` (the Procfile's release phase) before the web process starts."
)


def _project_static_names() -> set[str]:
    """Every file collectstatic would collect, by the name templates use for it."""
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    names = set()
    for finder in finders.get_finders():
        for path, source in finder.list(ignore):
            prefix = getattr(source, "prefix", None)
            name = path.replace(os.sep, "/")
            names.add(posixpath.join(prefix, name) if prefix else name)
    return names


def static_manifest_problem() -> str | None:
    """Why pages would be 500s for want of collectstatic, or None (also None when the storage
    needs no manifest, as with DEBUG on)."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return None
    where = os.path.join(str(settings.STATIC_ROOT), staticfiles_storage.manifest_name)
    try:
        manifest, _ = staticfiles_storage.load_manifest()
    except ValueError:
        return f"The staticfiles manifest {where} cannot be read."
    if not manifest:
        return f"No staticfiles manifest at {where}: with DEBUG off every page would be a 500."
    missing = sorted(_project_static_names() - set(manifest))
    if missing:
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        return (
            f"The staticfiles manifest {where} lacks {len(missing)} file(s) the project has ({shown}): "
            "collectstatic has not run since they were added."
        )
    return None


@checks.register("focusflow")
def check_static_manifest(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    problem = static_manifest_problem()
    return [checks.Error(problem, hint=RUN_COLLECTSTATIC, id="focusflow.E001")] if problem else []


def refuse_to_serve_without_static_manifest() -> None:
    """Called by the web process at start: stop with the reason rather than serve 500 pages."""
    problem = static_manifest_problem()
    if problem:
        raise ImproperlyConfigured(f"{problem} {RUN_COLLECTSTATIC}")
