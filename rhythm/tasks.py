from celery import shared_task

from rhythm.services import emotion_backfill


@shared_task(name="rhythm.backfill_emotion", ignore_result=True)
def backfill_emotion() -> int:
    """Nightly: keep every emotion baseline in step with the latest sentiment."""
    return emotion_backfill()
