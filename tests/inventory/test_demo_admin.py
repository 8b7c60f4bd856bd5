"""The quick start's back-office login: `seed_demo --with-admin` prints a working one, on the
embedded default only."""

import io
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

pytestmark = pytest.mark.django_db


def seed_with_admin():
    out = io.StringIO()
    call_command("seed_demo", "--with-admin", "--articles", "20", stdout=out)
    return re.search(r"user (\S+)\s+password (\S+)", out.getvalue()).groups()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the demo login is SQLite-only")
def test_the_printed_login_opens_the_back_office_and_a_second_run_replaces_it(client):
    username, password = seed_with_admin()
    assert client.login(username=username, password=password)
    assert client.get("/admin/").status_code == 200

    _, new_password = seed_with_admin()
    client.logout()
    assert new_password != password
    assert not client.login(username=username, password=password)
    assert client.login(username=username, password=new_password)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="on SQLite the demo login is allowed")
def test_a_shared_database_gets_no_demo_login():
    with pytest.raises(CommandError, match="createsuperuser"):
        call_command("seed_demo", "--with-admin", "--articles", "20", stdout=io.StringIO())
