"""The bare-stack ceiling's server: the smallest WSGI app that does a checkout's SQL.

    gunicorn bench.bare_stack:application   (bench/promise_load.py starts it, with
                                              BENCH_DATABASE set, in the checkout's gunicorn
                                              configuration)

For each POST of a PromiseRequest body it parses the JSON, picks one stock row per line's
article (at random among the article's rows, as the bare-SQL ceiling picks its rows) and runs
bench/bare_sql.py's reservation transaction on its thread's own connection, then answers 201
with a small JSON body. No Django on the request path (Django is set up once at import, only to
build the statements from the models' rule), no authentication, no validation: what is left is
gunicorn, the WSGI call, JSON and the database.

A body with an `order` (a SourcingOptionsRequest, bench/sourcing_options.py) is a read: the
active stock of its articles (value less active reservations, one aggregate), answered 200.
"""

import datetime
import os
import random
import sys
import threading
from collections import defaultdict
from pathlib import Path

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bare_sql import reservation_statements, reserve  # noqa: E402
from bench.common import SERVER_URL, setup_django  # noqa: E402

DATABASE = os.environ["BENCH_DATABASE"]
DSN = f"{SERVER_URL}/{DATABASE}"
setup_django(DATABASE)
from inventory.models import active_reservation_sql  # noqa: E402

STATEMENTS = reservation_statements()

with psycopg.connect(DSN) as _connection:
    STOCK_ROWS = defaultdict(list)
    for _row in _connection.execute(
        "SELECT id, facility_id, tenant_article_id FROM inventory_stock"
    ).fetchall():
        STOCK_ROWS[_row[2]].append(_row)

# The read of a what-if: what each facility still has of the cart's articles.
AVAILABILITY = (
    "SELECT s.facility_id, s.tenant_article_id, s.value - COALESCE(SUM(r.quantity), 0) "
    "FROM inventory_stock s LEFT JOIN inventory_reservation r ON r.stock_id = s.id AND "
    f"{active_reservation_sql('r')} WHERE s.tenant_article_id = ANY(%s) GROUP BY s.id"
)

_thread = threading.local()


def _connection():
    connection = getattr(_thread, "connection", None)
    if connection is None or connection.closed:
        connection = _thread.connection = psycopg.connect(DSN)
        _thread.random = random.Random(threading.get_ident())
    return connection


def application(environ, start_response):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = orjson.loads(environ["wsgi.input"].read(length))
    connection = _connection()
    if "order" in body:
        return _what_if(connection, body["order"], start_response)
    chosen = sorted(
        {
            _thread.random.choice(STOCK_ROWS[line["article"]["tenantArticleId"]])
            for line in body["orderLineItems"]
        }
    )
    reserve(connection, STATEMENTS, chosen)
    payload = orjson.dumps({"reserved": len(chosen)})
    start_response(
        "201 Created",
        [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))],
    )
    return [payload]


def _what_if(connection, order, start_response):
    articles = [line["article"]["tenantArticleId"] for line in order["orderLineItems"]]
    with connection.transaction():
        rows = connection.execute(
            AVAILABILITY, [datetime.datetime.now(datetime.UTC), articles]
        ).fetchall()
    payload = orjson.dumps({"facilities": len({row[0] for row in rows})})
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
