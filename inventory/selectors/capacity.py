"""The daily order counters routing compares with each facility's daily order capacity."""

from config.db_router import read_connection as connection  # or the replica: see there
from config.identifiers import parse_uuid
from inventory import sql
from inventory.models import FacilityDailyOrders

_FACILITY, _DAY, _ORDERS = sql.columns(FacilityDailyOrders, "facility", "day", "orders")


def facility_orders_on(day, facility_ids):
    """{facility_id: orders counted there on `day`} (FacilityDailyOrders); absent: none."""
    facilities = sql.database_uuids(facility_ids)
    if not facilities:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_FACILITY}, {_ORDERS} FROM {FacilityDailyOrders._meta.db_table}"
            f" WHERE {_DAY} = %s AND {_FACILITY} IN ({sql.placeholders(facilities)})",
            [connection.ops.adapt_datefield_value(day), *facilities],
        )
        return {parse_uuid(facility_id): orders for facility_id, orders in cursor.fetchall()}
