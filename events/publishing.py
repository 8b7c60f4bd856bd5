"""Putting delivery tasks on the broker without holding a request.

A commit that recorded events hands their ids to this process's publisher thread and returns
at once; the thread publishes them with short timeouts. A hung broker (it accepts connections
and never answers) or a stopped one therefore costs a request nothing: the thread's attempt
fails after `EVENTS_PUBLISH_TIMEOUT`, the events stay pending in the outbox, and beat's
`deliver-events` run (every 15 s) delivers them once the broker answers again. With a healthy
broker the task is published a few milliseconds after the commit, as before.
"""

import logging
import os
import queue
import threading

from events import conf
from events.tasks import deliver_event, deliver_pending_events

logger = logging.getLogger(__name__)

# Batches of ids waiting for the thread. While the broker hangs they pile up here; past this
# many, new ones are left to beat (which finds every pending event in the outbox anyway).
MAX_WAITING_BATCHES = 1000

# Above this many events from one commit, one catch-up run is enqueued instead of a task each.
MAX_TASKS_PER_COMMIT = 20


def enqueue_event_delivery(*event_ids):
    """Best effort, run by the publisher thread: a broker outage must never fail or stall it,
    so it has its own connection with short socket timeouts (a hung broker would otherwise
    hold it for as long as TCP keeps the connection); the periodic task catches up."""
    timeout = conf.publish_timeout()
    try:
        with deliver_event.app.connection_for_write(
            transport_options={"socket_timeout": timeout, "socket_connect_timeout": timeout}
        ) as connection:
            # Fail fast: kombu would otherwise keep reconnecting for seconds.
            connection.ensure_connection(max_retries=0, timeout=timeout)
            if len(event_ids) > MAX_TASKS_PER_COMMIT:
                deliver_pending_events.apply_async(connection=connection, retry=False)
            else:
                for event_id in event_ids:
                    deliver_event.apply_async((str(event_id),), connection=connection, retry=False)
    except Exception:  # any broker/transport error
        logger.warning(
            "Could not enqueue delivery of %s event(s); the periodic task will deliver them.",
            len(event_ids),
            exc_info=True,
        )
        return False
    return True


class Publisher:
    """One daemon thread per process (a forked web worker starts its own on first use)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = None
        self._thread = None
        self._waiting = None

    def submit(self, event_ids):
        """Queue `event_ids` for publishing; never blocks, never raises."""
        waiting = self._running_queue()
        try:
            waiting.put_nowait(tuple(event_ids))
        except queue.Full:
            logger.warning(
                "Publisher queue full; %s event(s) are left to the periodic delivery task.",
                len(event_ids),
            )

    def idle(self):
        """Whether everything submitted has been published or given up on (for tests)."""
        return self._waiting is None or self._waiting.unfinished_tasks == 0

    def _running_queue(self):
        if self._pid == os.getpid() and self._thread.is_alive():
            return self._waiting
        with self._lock:
            if not (self._pid == os.getpid() and self._thread.is_alive()):
                # A fresh queue too: one inherited through fork may hold a lock forever.
                self._waiting = queue.Queue(MAX_WAITING_BATCHES)
                self._thread = threading.Thread(
                    target=self._run, args=(self._waiting,), name="event-publisher", daemon=True
                )
                self._thread.start()
                self._pid = os.getpid()
            return self._waiting

    @staticmethod
    def _run(waiting):
        while True:
            batches = [waiting.get()]
            # Whatever else is already waiting goes out on the same broker connection.
            while sum(map(len, batches)) <= MAX_TASKS_PER_COMMIT:
                try:
                    batches.append(waiting.get_nowait())
                except queue.Empty:
                    break
            try:
                enqueue_event_delivery(*(event_id for batch in batches for event_id in batch))
            except Exception:  # keep the thread alive whatever happens
                logger.exception("Publishing delivery tasks failed")
            finally:
                for _ in batches:
                    waiting.task_done()


publisher = Publisher()
