"""The one clock of every decision that depends on time.

Read it only once the row locks the decision depends on are held. A time read before waiting
for a lock is stale by the length of the wait: a confirm that read 11:59:59 and got its locks at
12:00:01 would make permanent a reservation that a checkout had meanwhile counted as expired
and taken (an oversell). So services take no `now` argument for such decisions; the lock
helpers (`orders.locking`, `inventory.locking`) read this clock right after their locks.

Tests move it with `frozen_at(moment)`; it applies to every thread, so a concurrency test's
workers share one time.
"""

import contextlib

from django.utils import timezone

_frozen = None


def now():
    return _frozen if _frozen is not None else timezone.now()


@contextlib.contextmanager
def frozen_at(moment):
    global _frozen
    previous, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = previous


def advance(delta):
    """Move the frozen clock on (tests that play out time); every thread sees the move."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("advance() needs a frozen clock: use frozen_at() first")
    _frozen += delta
