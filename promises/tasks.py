"""Celery tasks of the promise lifecycle (scheduled by CELERY_BEAT_SCHEDULE in settings)."""

import logging

from celery import shared_task

from promises import routing_retry, services

logger = logging.getLogger(__name__)


@shared_task(name="promises.tasks.release_expired_promises")
def release_expired_promises():
    released = services.release_expired_promises()
    if released:
        logger.info("Released %d expired promises", released)
    return released


@shared_task(name="promises.tasks.route_unrouted_orders")
def route_unrouted_orders():
    routed = routing_retry.route_unrouted_orders()
    if routed:
        logger.info("Routed %d orders that had waited for stock", routed)
    return routed
