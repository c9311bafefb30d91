"""Create (or reuse) the quick-start accounts and print how to use them. Only with DEBUG on."""

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from focusflow.people import account_person_id
from focusflow.tokens import token_create, tokens_revoke

DEMO_USER, DEMO_PASSWORD = "demo", "focus-demo-pass"
ADMIN_USER, ADMIN_PASSWORD = "admin", "focus-admin-pass"


class Command(BaseCommand):
    help = "Create the demo person and a demo admin for the quick start, and print their credentials."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("demo_account only runs with DEBUG on; use createsuperuser in production.")
        User = get_user_model()
        demo, created = User.objects.get_or_create(username=DEMO_USER)
        if created:
            demo.set_password(DEMO_PASSWORD)
            demo.save()
        admin, created = User.objects.get_or_create(
            username=ADMIN_USER, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(ADMIN_PASSWORD)
            admin.save()
        # Only digests are stored, so a token cannot be shown twice: each run revokes the demo's old
        # tokens and prints new ones.
        tokens_revoke(user=demo)
        tokens_revoke(user=admin)
        token, admin_token = token_create(user=demo), token_create(user=admin)
        person_id = account_person_id(user=demo)
        base = f"http://localhost:{os.environ.get('PORT') or 8000}"  # where the Procfile's web binds
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"FocusFlow quick start — {base}/",
                    f"  person:  username {DEMO_USER}  password {DEMO_PASSWORD}  person_id {person_id}",
                    f"           API token (paste into a shell, as the README's curl examples use it):  export TOKEN={token}",
                    f"  admin:   username {ADMIN_USER}  password {ADMIN_PASSWORD}  ({base}/admin/)",
                    f"           API token:  export ADMIN_TOKEN={admin_token}",
                    "",
                ]
            )
        )
