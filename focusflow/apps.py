from django.apps import AppConfig


class FocusflowConfig(AppConfig):
    """The project package as an app, so its system checks run with every `manage.py` command."""

    name = "focusflow"
    verbose_name = "FocusFlow"

    def ready(self) -> None:
        from focusflow import checks  # noqa: F401  (registers the checks)
