"""The promises app's hand-written SQL: the expiry sweep's batch, as a PostgreSQL statement set
and its portable twin side by side, and the checkout snapshot's one statement.

Both lock a batch of promises past their validUntil (skipping rows another sweep or a confirm
holds), delete their reservations and cancel them, and return the same `ReleasedBatch`;
tests/promises/test_sql.py runs both on the same data. The PostgreSQL form is three statements
on primary-key and foreign-key indexes (arrays instead of IN lists, the deleted rows counted as
they are deleted); the portable one is four ORM queries, so its cost does not grow with the
batch either. Table and column names come from the models' `_meta`.
"""

import json
from collections import Counter
from dataclasses import dataclass
from datetime import UTC

from django.db import connection
from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils import timezone

from config.db import JSONAppend
from config.db_router import read_connection
from events.models import Subscription
from inventory.models import (
    Carrier,
    CarrierCountryServiceMapping,
    Facility,
    FacilityCarrierConnection,
    Reservation,
)
from orders.models import GdprConfiguration, Order, OrderLineItem, OrderStatus
from promises.models import PromisesConfiguration, RoutingConfiguration

EXPIRED_REASON = "Promise expired: it was neither confirmed nor extended before its validUntil."
EXPIRED_STATUS_REASON = {"status": OrderStatus.CANCELLED, "reason": EXPIRED_REASON}


@dataclass(frozen=True)
class ReleasedBatch:
    order_ids: list  # the cancelled promises, oldest validUntil first
    orders_by_facility_day: dict  # {(facility_id, UTC day of the reservations): orders}


def release_batch(now, batch_size, update_detail):
    """The twin for this connection's database. `update_detail` is the `updateDetails` entry
    each cancelled promise gets (orders.history: the system actor)."""
    if connection.vendor == "postgresql":
        return release_batch_postgresql(now, batch_size, update_detail)
    return release_batch_portable(now, batch_size, update_detail)


def _columns(model, *names):
    return [model._meta.get_field(name).column for name in names]


def release_batch_postgresql(now, batch_size, update_detail):
    orders, lines, reservations = (
        model._meta.db_table for model in (Order, OrderLineItem, Reservation)
    )
    status, valid_until, version, modified, reasons, details = _columns(
        Order,
        "status",
        "promise_valid_until",
        "version",
        "last_modified",
        "status_reasons",
        "update_details",
    )
    [line_order] = _columns(OrderLineItem, "order")
    reservation_line, facility, created = _columns(
        Reservation, "order_line_item", "facility", "created"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {orders} WHERE {status} = %s AND {valid_until} <= %s"
            f" ORDER BY {valid_until} LIMIT %s FOR UPDATE SKIP LOCKED",
            [OrderStatus.PROMISED, now, batch_size],
        )
        order_ids = [row[0] for row in cursor.fetchall()]
        if not order_ids:
            return ReleasedBatch([], {})
        cursor.execute(
            f"""
            WITH deleted AS (
                DELETE FROM {reservations} AS r USING {lines} AS l
                WHERE r.{reservation_line} = l.id AND l.{line_order} = ANY(%s::uuid[])
                RETURNING r.{facility} AS facility_id, l.{line_order} AS order_id,
                          r.{created} AS created
            )
            SELECT facility_id, (created AT TIME ZONE 'UTC')::date, COUNT(DISTINCT order_id)
            FROM deleted GROUP BY 1, 2
            """,
            [order_ids],
        )
        orders_by_facility_day = {(row[0], row[1]): row[2] for row in cursor.fetchall()}
        cursor.execute(
            f"UPDATE {orders} SET {status} = %s, {version} = {version} + 1, {modified} = %s,"
            f" {reasons} = COALESCE({reasons}, '[]'::jsonb) || %s::jsonb,"
            f" {details} = COALESCE({details}, '[]'::jsonb) || %s::jsonb"
            " WHERE id = ANY(%s::uuid[])",
            [
                OrderStatus.CANCELLED,
                timezone.now(),
                json.dumps([EXPIRED_STATUS_REASON]),
                json.dumps([update_detail]),
                order_ids,
            ],
        )
    return ReleasedBatch(order_ids, orders_by_facility_day)


def release_batch_portable(now, batch_size, update_detail):
    """Through the ORM, for the embedded SQLite default (where one writer at a time makes the
    row lock moot) and any other database."""
    order_ids = list(
        Order.objects.select_for_update(skip_locked=True)
        .promises_to_release(now)
        .order_by("promise_valid_until")
        .values_list("id", flat=True)[:batch_size]
    )
    if not order_ids:
        return ReleasedBatch([], {})
    reservations = Reservation.objects.filter(order_line_item__order_id__in=order_ids)
    orders_by_facility_day = Counter(
        (facility_id, day)
        for facility_id, day, _ in reservations.annotate(day=TruncDate("created", tzinfo=UTC))
        .values_list("facility_id", "day", "order_line_item__order_id")
        .distinct()
    )
    reservations.delete()
    Order.objects.filter(id__in=order_ids).update(
        status=OrderStatus.CANCELLED,
        version=F("version") + 1,
        last_modified=timezone.now(),
        status_reasons=JSONAppend("status_reasons", [EXPIRED_STATUS_REASON]),
        update_details=JSONAppend("update_details", [update_detail]),
    )
    return ReleasedBatch(order_ids, dict(orders_by_facility_day))


# ---------------------------------------------------------------- the checkout snapshot
#
# One statement that both databases run, so no twin: a first row with a stamp per network
# table (row count, sum of versions, latest change: any insert, delete or edit moves it) and
# the stored promise duration, then one row per subscribed event. (An aggregate would fold the
# events into the first row, but PostgreSQL spells it string_agg and SQLite group_concat.)

_NETWORK_MODELS = (
    Facility,
    FacilityCarrierConnection,
    Carrier,
    CarrierCountryServiceMapping,
    RoutingConfiguration,
)


def _network_stamp_and_settings_sql():
    stamps = []
    for model in _NETWORK_MODELS:
        version, modified = _columns(model, "version", "last_modified")
        stamps.append(
            f"(SELECT CAST(COUNT(*) AS TEXT) || '/' || CAST(COALESCE(SUM({version}), 0) AS TEXT)"
            f" || '/' || COALESCE(CAST(MAX({modified}) AS TEXT), '') FROM {model._meta.db_table})"
        )
    [duration] = _columns(PromisesConfiguration, "invalid_after_time")
    [anonymization] = _columns(GdprConfiguration, "actor_anonymization")
    [event] = _columns(Subscription, "event")
    nothing = ", ".join(["NULL"] * len(stamps))
    return (
        f"SELECT 0, {', '.join(stamps)}, "
        f"(SELECT {duration} FROM {PromisesConfiguration._meta.db_table} WHERE id = 1), "
        # As text: the events' rows put NULLs in this column, and PostgreSQL types those as text.
        f"(SELECT CASE WHEN {anonymization} THEN 'true' ELSE 'false' END"
        f" FROM {GdprConfiguration._meta.db_table} WHERE id = 1), NULL "
        f"UNION ALL SELECT DISTINCT 1, {nothing}, NULL, NULL, {event} "
        f"FROM {Subscription._meta.db_table}"
    )


_STATEMENT = []


@dataclass(frozen=True)
class NetworkStampAndSettings:
    stamp: tuple  # of the network tables: any insert, delete or edit changes it
    invalid_after_time: str | None  # the stored promise duration, None: never configured
    actor_anonymization: bool  # the GDPR setting (True when never configured)
    subscribed_events: frozenset  # the events that have a subscription


def network_stamp_and_settings():
    """The stamp of the network tables, the small settings a checkout needs fresh and the
    events that have a subscription, in one round trip."""
    if not _STATEMENT:
        _STATEMENT.append(_network_stamp_and_settings_sql())
    stamp, invalid_after_time, anonymization, events = (), None, None, set()
    # A sourcing-options request reads it from the replica (config/db_router.py).
    with read_connection.cursor() as cursor:
        cursor.execute(_STATEMENT[0])
        for kind, *stamps, duration, anonymize, event in cursor.fetchall():
            if kind == 0:
                stamp, invalid_after_time, anonymization = tuple(stamps), duration, anonymize
            else:
                events.add(event)
    return NetworkStampAndSettings(
        stamp, invalid_after_time, anonymization != "false", frozenset(events)
    )
