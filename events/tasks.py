"""Celery tasks. Both only call services; the work itself is in events.services."""

from celery import shared_task

from events import services


@shared_task(name="events.tasks.deliver_event", ignore_result=True)
def deliver_event(event_id):
    """Enqueued after the commit that recorded the event: deliver it without waiting."""
    return len(services.deliver_event(event_id))


@shared_task(name="events.tasks.deliver_pending_events", ignore_result=True)
def deliver_pending_events():
    """Every 15 s (beat): events whose immediate delivery was missed and retries that are due."""
    attempts = services.deliver_pending()
    services.prune_old_events()
    return len(attempts)
