"""Shared set-up of the benchmark scripts: a PostgreSQL database of their own, Django on it."""

import os

SERVER_URL = "postgresql://postgres@127.0.0.1:5432"
# DEBUG is off in the benchmarks (as in production), which requires a SECRET_KEY.
BENCH_SECRET_KEY = "benchmark-only-secret-key"


def recreate_database(name):
    """Drop (disconnecting its clients) and create the benchmark's own database."""
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def setup_django(database):
    """Point Django at `database` and set it up as production runs it (DEBUG off: no per-query
    SQL recording)."""
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    import django

    django.setup()


def execute_statements(cursor, script, params=()):
    """Run the `;`-separated statements of `script` one by one: with server-side parameter
    binding PostgreSQL takes one statement per execute. `params` go to the statements with
    `%s`; every statement is formatted, so `%%` is a literal % throughout."""
    for statement in filter(str.strip, script.split(";")):
        cursor.execute(statement, list(params) if "%s" in statement else [])
