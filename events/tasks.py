"""Celery tasks. Both only call the delivery services; the work itself is in events.delivery."""

from celery import shared_task

from events import delivery


@shared_task(name="events.tasks.deliver_event", ignore_result=True)
def deliver_event(event_id):
    """Enqueued after the commit that recorded the event: deliver it without waiting."""
    return len(delivery.deliver_event(event_id))


@shared_task(name="events.tasks.deliver_pending_events", ignore_result=True)
def deliver_pending_events():
    """Every 15 s (beat): events whose immediate delivery was missed and retries that are due."""
    attempts = delivery.deliver_pending()
    delivery.prune_old_events()
    return len(attempts)
