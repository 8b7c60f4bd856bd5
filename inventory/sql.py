"""Inventory statements that have a PostgreSQL form and a portable twin, side by side, and the
database encodings of their parameters.

Each `…_postgresql` / `…_portable` pair returns the same result for the same data
(tests/inventory/test_sql.py runs both); the function without a suffix picks the twin for this
connection's database. The PostgreSQL forms send a list as one array parameter (the driver
parses and quotes the placeholders of a 500-item IN list one by one) and build rows straight
from the cursor; the portable forms are plain SQL or the ORM, for the embedded SQLite default.
Table and column names come from the models' `_meta`; the active-reservation condition only
from `active_reservation_sql`.
"""

import json
import uuid
from collections import defaultdict

from django.contrib.postgres.aggregates import ArrayAgg
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q, Sum

from config.identifiers import parse_uuid
from inventory.models import Listing, Reservation, Stock, active_reservation_sql


def database():
    """The connection `django.db.connection` stands for, looked up once: every attribute read
    through that proxy costs a failed lookup and a context-local read (the checkout path reads
    a few dozen)."""
    return connections[DEFAULT_DB_ALIAS]


def columns(model, *names):
    """The column names of `model`'s fields `names`."""
    return [model._meta.get_field(name).column for name in names]


STOCK_TABLE = Stock._meta.db_table
LISTING_TABLE = Listing._meta.db_table
RESERVATION_TABLE = Reservation._meta.db_table
_STOCK_FIELDS = Stock._meta.concrete_fields
# Every column, named and in field order: a prepared `SELECT *` breaks once a migration adds
# a column, and `Stock.from_db` reads the values in this order.
_STOCK_COLUMNS = ", ".join(f"stock.{field.column}" for field in _STOCK_FIELDS)
_STOCK_FACILITY, _STOCK_ARTICLE = columns(Stock, "facility", "tenant_article_id")
_LISTING_FACILITY, _LISTING_ARTICLE = columns(Listing, "facility", "tenant_article_id")
_RESERVATION_STOCK, _RESERVATION_QUANTITY = columns(Reservation, "stock", "quantity")


# --- Parameter encodings ---------------------------------------------------------------------


def placeholders(values):
    return ", ".join(["%s"] * len(values))


def database_uuids(values):
    """UUIDs (or their text) as the database compares them with a UUIDField (native on
    PostgreSQL, hex text on SQLite), distinct and sorted."""
    if database().features.has_native_uuid_field:
        return sorted({str(value) for value in values})
    return sorted({parse_uuid(value).hex for value in values})


# PostgreSQL: a list of UUIDs as one parameter. The driver quotes a Python list element by
# element (about 1 ms for 500 UUIDs, and a bulk stock upsert sends several such lists); one
# comma-separated string costs a sixth of that.
UUID_ARRAY_SQL = "string_to_array(%s, ',')::uuid[]"


def uuid_array(values):
    """The parameter for UUID_ARRAY_SQL."""
    return ",".join(parse_uuid(value).hex for value in values)


def stock_keys_condition(keys):
    """Exactly the given (facility_id, tenant_article_id) pairs, one index condition per
    facility (a cross product of facilities × articles would over-fetch)."""
    articles_by_facility = defaultdict(set)
    for facility_id, article in keys:
        articles_by_facility[facility_id].add(article)
    condition = Q(pk__in=[])
    for facility_id, articles in articles_by_facility.items():
        condition |= Q(facility_id=facility_id, tenant_article_id__in=articles)
    return condition


# --- What active reservations hold of each stock row, and its listing's safety stock -------

_LISTING_SAFETY_STOCK = Listing._meta.get_field("safety_stock").column
# On a statement over `stock AS stock`: the safety stock of the row's listing (0 unlisted).
SAFETY_STOCK_OF_STOCK_SQL = (
    f"COALESCE((SELECT listing.{_LISTING_SAFETY_STOCK} FROM {LISTING_TABLE} AS listing"
    f" WHERE listing.{_LISTING_FACILITY} = stock.{_STOCK_FACILITY}"
    f" AND listing.{_LISTING_ARTICLE} = stock.{_STOCK_ARTICLE}), 0)"
)


def held_by_stock(stock_ids, now):
    """{stock_id: (quantity held by reservations active at `now`, the listing's safety
    stock)} for existing rows, one statement."""
    if connection.vendor == "postgresql":
        return held_by_stock_postgresql(stock_ids, now)
    return held_by_stock_portable(stock_ids, now)


def held_by_stock_postgresql(stock_ids, now):
    stock_ids = database_uuids(stock_ids)
    if not stock_ids:
        return {}
    # One parameter: bulk stock upserts ask for 500 ids.
    return _held_where(f"stock.id = ANY({UUID_ARRAY_SQL})", [uuid_array(stock_ids)], now)


def held_by_stock_portable(stock_ids, now):
    stock_ids = database_uuids(stock_ids)
    if not stock_ids:
        return {}
    return _held_where(f"stock.id IN ({placeholders(stock_ids)})", stock_ids, now)


def _held_where(condition, id_params, now):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stock.id,"
            f" COALESCE((SELECT SUM(reservation.{_RESERVATION_QUANTITY})"
            f" FROM {RESERVATION_TABLE} AS reservation"
            f" WHERE reservation.{_RESERVATION_STOCK} = stock.id"
            f" AND {active_reservation_sql('reservation')}), 0),"
            f" {SAFETY_STOCK_OF_STOCK_SQL}"
            f" FROM {STOCK_TABLE} AS stock WHERE {condition}",
            [connection.ops.adapt_datetimefield_value(now), *id_params],
        )
        return {
            parse_uuid(stock_id): (reserved, safety_stock)
            for stock_id, reserved, safety_stock in cursor.fetchall()
        }


# --- Stock rows locked for update, in id order ------------------------------------------------


def stocks_for_update_by_keys(keys):
    """The stock rows of `(facility_id, tenant_article_id)` keys, locked, in id order.
    Hand-written: every checkout runs it, and the ORM's OR-of-pairs filter cost more to build
    than the database took to run it."""
    if database().vendor == "postgresql":
        return stocks_for_update_by_keys_postgresql(keys)
    return stocks_for_update_by_keys_portable(keys)


def _pairs_condition(keys):
    facility_key = Stock._meta.get_field("facility").target_field
    params = []
    db = database()
    for facility_id, article in keys:
        params += [facility_key.get_db_prep_value(facility_id, db), article]
    pairs = ", ".join(["(%s, %s)"] * len(keys))
    return f"({_STOCK_FACILITY}, {_STOCK_ARTICLE}) IN ({pairs})", params


def _select_stocks_sql(condition, lock):
    return (
        f"SELECT {_STOCK_COLUMNS} FROM {STOCK_TABLE} AS stock"
        f" WHERE {condition} ORDER BY stock.id{lock}"
    )


def stocks_for_update_by_keys_postgresql(keys):
    condition, params = _pairs_condition(keys)
    # Rows straight from the cursor: the raw queryset's per-row machinery cost more than the
    # statement on the checkout path.
    return _locked_stock_rows(_select_stocks_sql(condition, " FOR UPDATE"), params)


def stocks_for_update_by_keys_portable(keys):
    condition, params = _pairs_condition(keys)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return list(Stock.objects.raw(_select_stocks_sql(condition, lock), params))


def stocks_for_update_by_ids_and_keys(stock_ids, keys):
    """The stock rows named by id or by key, locked in one statement, in id order."""
    if connection.vendor == "postgresql":
        return stocks_for_update_by_ids_and_keys_postgresql(stock_ids, keys)
    return stocks_for_update_by_ids_and_keys_portable(stock_ids, keys)


def stocks_for_update_by_ids_and_keys_postgresql(stock_ids, keys):
    # Arrays (`= ANY`, `unnest`): a 500-row bulk upsert would otherwise send 1,000
    # placeholders.
    conditions, params = [], []
    if stock_ids:
        conditions.append(f"stock.id = ANY({UUID_ARRAY_SQL})")
        params.append(uuid_array(stock_ids))
    if keys:
        conditions.append(
            f"(stock.{_STOCK_FACILITY}, stock.{_STOCK_ARTICLE}) IN"
            f" (SELECT * FROM unnest({UUID_ARRAY_SQL}, %s::varchar[]))"
        )
        params += [uuid_array(key[0] for key in keys), [key[1] for key in keys]]
    return _locked_stock_rows(_select_stocks_sql(" OR ".join(conditions), " FOR UPDATE"), params)


def stocks_for_update_by_ids_and_keys_portable(stock_ids, keys):
    condition = Q(id__in=stock_ids) | stock_keys_condition(keys)
    return list(Stock.objects.select_for_update().filter(condition).order_by("id"))


def _locked_stock_rows(statement, params):
    with database().cursor() as cursor:
        cursor.execute(statement, params)
        return _stocks_from_rows(cursor.fetchall())


def _stocks_from_rows(rows):
    """Stock instances from PostgreSQL rows of every stock column, in field order."""
    converters = [_from_db_converter(field) for field in _STOCK_FIELDS]
    return [
        Stock.from_db(
            DEFAULT_DB_ALIAS,
            None,
            [
                convert(value) if convert else value
                for convert, value in zip(converters, row, strict=True)
            ],
        )
        for row in rows
    ]


def _from_db_converter(field):
    """What the ORM does to a raw column value of `field` (JSON arrives as text)."""
    if field.get_internal_type() == "JSONField":
        return lambda text: {} if text == "{}" else field.from_db_value(text, None, connection)
    return None


# --- The bulk stock upsert: new rows, then new values of existing rows ------------------------


def _in_key_order(keyed):
    """(key, item) pairs sorted by key: the one global order of inserts."""
    return sorted(keyed, key=lambda pair: (str(pair[0][0]), pair[0][1]))


def insert_new_stocks(keyed, timestamp):
    """Insert a stock row for every `((facility_id, article), item)` whose article is listed at
    the facility and that has no row yet, in key order.

    Returns ({key: Stock} inserted by this transaction, [keys of rows that already existed,
    were inserted by a concurrent request meanwhile, or are not listed], in key order).
    """
    if connection.vendor == "postgresql":
        return insert_new_stocks_postgresql(keyed, timestamp)
    return insert_new_stocks_portable(keyed, timestamp)


def insert_new_stocks_postgresql(keyed, timestamp):
    """`ON CONFLICT DO NOTHING`; `RETURNING id` tells which rows are ours. Existing keys cost
    one unique-index probe here, less than a separate query to find them first."""
    if not keyed:
        return {}, []
    keyed = _in_key_order(keyed)
    ids = [uuid.uuid4() for _ in keyed]
    extras = [item.get("extra") or {} for _, item in keyed]
    if any(extras):
        encoder = Stock._meta.get_field("extra").encoder
        extra_sql = "(%s::text[])[new.position]::jsonb"
        extra_params = [[json.dumps(extra, cls=encoder) if extra else "{}" for extra in extras]]
    else:  # the usual bulk feed: no extra fields at all
        extra_sql, extra_params = "'{}'::jsonb", []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {STOCK_TABLE} ({', '.join(field.column for field in _STOCK_FIELDS)})"
            f" SELECT new.id, 1, new.facility_id, new.article, new.value, {extra_sql}, %s, %s"
            f" FROM unnest({UUID_ARRAY_SQL}, {UUID_ARRAY_SQL}, %s::varchar[], %s::integer[])"
            " WITH ORDINALITY AS new(id, facility_id, article, value, position)"
            # Stock exists only for listed articles (an unlisted key becomes a 404 later). A
            # scalar subquery, not EXISTS: that one is planned as a hash join over every
            # listing, this one as one index probe per row.
            f" WHERE (SELECT true FROM {LISTING_TABLE} AS listing"
            f" WHERE listing.{_LISTING_FACILITY} = new.facility_id"
            f" AND listing.{_LISTING_ARTICLE} = new.article LIMIT 1)"
            " ORDER BY new.position"
            f" ON CONFLICT ({_STOCK_FACILITY}, {_STOCK_ARTICLE}) DO NOTHING RETURNING id",
            [
                *extra_params,
                timestamp,
                timestamp,
                uuid_array(ids),
                uuid_array(key[0] for key, _ in keyed),
                [key[1] for key, _ in keyed],
                [item["value"] for _, item in keyed],
            ],
        )
        inserted = {stock_id for (stock_id,) in cursor.fetchall()}
    created, others = {}, []
    for stock_id, ((facility_id, article), item), extra in zip(ids, keyed, extras, strict=True):
        if stock_id in inserted:
            # The values in field order, as inserted above.
            created[(facility_id, article)] = Stock.from_db(
                connection.alias,
                None,
                (stock_id, 1, facility_id, article, item["value"], extra, timestamp, timestamp),
            )
        else:
            others.append((facility_id, article))
    return created, others


def insert_new_stocks_portable(keyed, timestamp):
    """For databases without `RETURNING` from a conflicting insert (SQLite, where a write
    transaction holds the whole database): insert the listed keys no row exists for, then find
    out which rows are ours by their ids."""
    if not keyed:
        return {}, []
    keyed = _in_key_order(keyed)
    keys = [key for key, _ in keyed]
    existing = set(
        Stock.objects.filter(stock_keys_condition(keys)).values_list(
            "facility_id", "tenant_article_id"
        )
    )
    new_keyed = [(key, item) for key, item in keyed if key not in existing]
    # An existing stock row implies its listing (deleting a listing deletes its stock), so
    # only new keys need the listing check.
    listed = set(
        Listing.objects.filter(stock_keys_condition(key for key, _ in new_keyed)).values_list(
            "facility_id", "tenant_article_id"
        )
        if new_keyed
        else ()
    )
    new_rows = {
        key: Stock(
            id=uuid.uuid4(),
            facility_id=key[0],
            tenant_article_id=key[1],
            value=item["value"],
            extra=item.get("extra", {}),
            created=timestamp,
            last_modified=timestamp,
        )
        for key, item in new_keyed
        if key in listed
    }
    if new_rows:
        Stock.objects.bulk_create(list(new_rows.values()), ignore_conflicts=True)
        ours = set(
            Stock.objects.filter(id__in=[stock.id for stock in new_rows.values()]).values_list(
                "id", flat=True
            )
        )
        new_rows = {key: stock for key, stock in new_rows.items() if stock.id in ours}
    return new_rows, [key for key in keys if key not in new_rows]


def write_stock_values(stocks, timestamp):
    """Write the new value, version and extra fields of locked, existing stock rows (the
    caller set them on the instances, and kept the extra fields read in `original_extra`).
    Both twins are far cheaper than bulk_update's per-row CASE expressions."""
    if connection.vendor == "postgresql":
        return write_stock_values_postgresql(stocks, timestamp)
    return write_stock_values_portable(stocks, timestamp)


def write_stock_values_postgresql(stocks, timestamp):
    """An `UPDATE … FROM unnest(ids, values)` by primary key; rows whose extra fields changed
    take the portable form."""
    plain = [stock for stock in stocks if stock.extra == stock.original_extra]
    if plain:
        value, version, last_modified = columns(Stock, "value", "version", "last_modified")
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {STOCK_TABLE} AS stock"
                f" SET {value} = new.value, {version} = new.version, {last_modified} = %s"
                f" FROM unnest({UUID_ARRAY_SQL}, %s::integer[], %s::integer[])"
                " AS new(id, value, version) WHERE stock.id = new.id",
                [
                    timestamp,
                    uuid_array(stock.id for stock in plain),
                    [stock.value for stock in plain],
                    [stock.version for stock in plain],
                ],
            )
    changed_extra = [stock for stock in stocks if stock.extra != stock.original_extra]
    if changed_extra:
        write_stock_values_portable(changed_extra, timestamp)


def write_stock_values_portable(stocks, timestamp):
    """An INSERT … ON CONFLICT DO UPDATE, which always conflicts here (the rows exist). The
    upsert stamps `last_modified` itself (auto_now), a moment after `timestamp`."""
    created = [stock.created for stock in stocks]
    Stock.objects.bulk_create(
        stocks,
        update_conflicts=True,
        unique_fields=["facility", "tenant_article_id"],
        update_fields=["value", "extra", "version", "last_modified"],
    )
    # bulk_create stamped `created` (auto_now_add) on the instances, not in the rows.
    for stock, value in zip(stocks, created, strict=True):
        stock.created = value


# --- Stock summaries: per article, its total value and the facilities holding it -------------


def article_totals(stocks):
    """[{tenant_article_id, total_value, facility_ids (sorted)}] of a Stock queryset, by article."""
    if connection.vendor == "postgresql":
        return article_totals_postgresql(stocks)
    return article_totals_portable(stocks)


def _totals_by_article(stocks):
    return (
        stocks.values("tenant_article_id")
        .order_by("tenant_article_id")
        .annotate(total_value=Sum("value"))
    )


def article_totals_postgresql(stocks):
    """The facility ids aggregated in the same query."""
    totals = _totals_by_article(stocks).annotate(
        facility_ids=ArrayAgg("facility_id", order_by="facility_id")
    )
    return list(totals)


def article_totals_portable(stocks):
    """The facility ids from a second query (no array aggregate)."""
    rows = list(_totals_by_article(stocks))
    facilities = defaultdict(list)
    articles = [row["tenant_article_id"] for row in rows]
    if articles:
        for article, facility_id in stocks.filter(tenant_article_id__in=articles).values_list(
            "tenant_article_id", "facility_id"
        ):
            facilities[article].append(facility_id)
    for row in rows:
        row["facility_ids"] = sorted(facilities[row["tenant_article_id"]])
    return rows
