import zlib

from django.db import connection


def lock_subscriptions_of_event(event_name):
    """Serialise subscription changes for one event until the transaction ends, so the
    per-event limit holds under concurrent requests. On SQLite every write transaction
    already holds the database lock (transaction_mode IMMEDIATE)."""
    if connection.vendor != "postgresql":
        return
    key = zlib.crc32(f"events.subscription:{event_name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
