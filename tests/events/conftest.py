import hashlib
import hmac

import pytest

from tests.events.receiver import WebhookReceiver


@pytest.fixture
def receiver():
    with WebhookReceiver() as running:
        yield running


@pytest.fixture(autouse=True)
def fast_delivery_settings(settings):
    # Keep the suite fast: short timeouts; retries are driven by an explicit clock anyway.
    settings.EVENTS_DELIVERY_TIMEOUT = 2.0
    settings.EVENTS_RETRY_BASE_DELAY = 30.0
    settings.EVENTS_RETRY_MAX_DELAY = 3600.0
    settings.EVENTS_MAX_ATTEMPTS = 5
    # Tests call the delivery services themselves; only the broker test enqueues for real.
    settings.EVENTS_ENQUEUE_AFTER_COMMIT = False


def signature_is_valid(secret, request):
    """What a receiver does: recompute the HMAC over the raw body, compare in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, request.headers.get("X-DOMS-Signature", ""))
