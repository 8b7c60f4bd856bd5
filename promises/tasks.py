"""Celery tasks of the promise lifecycle (scheduled by CELERY_BEAT_SCHEDULE in settings)."""

import logging

from celery import shared_task

from promises import services

logger = logging.getLogger(__name__)


@shared_task(name="promises.tasks.release_expired_promises")
def release_expired_promises():
    released = services.release_expired_promises()
    if released:
        logger.info("Released %d expired promises", released)
    return released
