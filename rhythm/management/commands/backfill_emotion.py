from django.core.management.base import BaseCommand

from rhythm.services import emotion_backfill


class Command(BaseCommand):
    help = "Set personal_model.emotion from each person's latest memory with a sentiment (one UPDATE)."

    def handle(self, *args, **options):
        changed = emotion_backfill()
        self.stdout.write(f"Updated the emotion of {changed} person(s).")
