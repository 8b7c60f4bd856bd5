"""Every model change has its migration: a deploy that runs `migrate` gets the schema the code
expects."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_no_model_change_lacks_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out)
    except SystemExit as exit:
        pytest.fail(f"missing migrations:\n{out.getvalue()}") if exit.code else None
