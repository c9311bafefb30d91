"""`manage.py drf_create_token <username>`: a new hashed, expiring API token (django-rest-knox).

Same name, output and -r/--reset flag as Django REST framework's command, which it replaces: operators
and outside tests create tokens this way. The key is printed once; only its digest is stored.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from focusflow.tokens import token_create, tokens_revoke


class Command(BaseCommand):
    help = "Create a new API token for a user (shown once; stored only as a digest)."

    def add_arguments(self, parser):
        parser.add_argument("username", type=str)
        parser.add_argument(
            "-r", "--reset", action="store_true", dest="reset", help="Revoke the user's existing tokens first."
        )

    def handle(self, *args, **options):
        username = options["username"]
        User = get_user_model()
        try:
            user = User._default_manager.get_by_natural_key(username)
        except User.DoesNotExist:
            raise CommandError(f"Cannot create the Token: user {username} does not exist") from None
        if options["reset"]:
            tokens_revoke(user=user)
        key = token_create(user=user)
        self.stdout.write(f"Generated token {key} for user {username}")
