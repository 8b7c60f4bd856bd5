"""Reads of the promises app."""

from config import clock
from config.errors import NotFound
from config.identifiers import parse_uuid
from promises.models import SourcingOptionsRun


def get_sourcing_options(run_id):
    """A stored SourcingOptionsResponse; gone (404) once its options are no longer valid, even
    before the sweep deletes it."""
    run = (
        SourcingOptionsRun.objects.filter(id=parse_uuid(run_id), valid_until__gt=clock.now())
        .values_list("response", flat=True)
        .first()
    )
    if run is None:
        raise NotFound(
            "Sourcing options not found.",
            f"No sourcing options {run_id}: unknown, or past their validUntil.",
        )
    return run
