"""Eventing settings, read at call time so tests can override them with `settings`."""

from datetime import timedelta

from django.conf import settings

DEFAULTS = {
    # Seconds to wait for a receiver to answer one delivery attempt.
    "EVENTS_DELIVERY_TIMEOUT": 10.0,
    # Attempt n (n >= 1) failing schedules the next one after BASE * 2**(n-1), capped at MAX.
    "EVENTS_RETRY_BASE_DELAY": 30.0,
    "EVENTS_RETRY_MAX_DELAY": 6 * 3600.0,
    # After this many failed attempts a delivery is FAILED (the admin can still retry it).
    "EVENTS_MAX_ATTEMPTS": 12,
    # A worker claims (leases) this many due deliveries at a time.
    "EVENTS_CLAIM_BATCH_SIZE": 10,
    # For how long one run of the periodic task keeps claiming due deliveries.
    "EVENTS_DELIVERY_TIME_BUDGET": 60.0,
    # Whether a commit that recorded events enqueues their delivery task at once (otherwise
    # only the periodic task delivers them).
    "EVENTS_ENQUEUE_AFTER_COMMIT": True,
    # Seconds the publisher thread waits for the broker (connect, and each answer) before it
    # leaves an event to the periodic task.
    "EVENTS_PUBLISH_TIMEOUT": 2.0,
    # Delivered or failed events older than this many days are deleted by the periodic task.
    "EVENTS_RETENTION_DAYS": 30,
}


def setting(name):
    return getattr(settings, name, DEFAULTS[name])


def delivery_timeout():
    return float(setting("EVENTS_DELIVERY_TIMEOUT"))


def publish_timeout():
    return float(setting("EVENTS_PUBLISH_TIMEOUT"))


def claim_lease(count=1):
    """How long a worker owns `count` claimed deliveries: comfortably longer than their
    attempts take even if every one times out."""
    return timedelta(seconds=max(60.0, delivery_timeout() * 3) + delivery_timeout() * count)


def retry_delay(failed_attempts):
    base = float(setting("EVENTS_RETRY_BASE_DELAY"))
    cap = float(setting("EVENTS_RETRY_MAX_DELAY"))
    return timedelta(seconds=min(cap, base * 2 ** max(0, failed_attempts - 1)))
