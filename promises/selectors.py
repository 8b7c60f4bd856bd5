"""Reads of the promises app."""

from config import clock
from config.errors import NotFound
from config.identifiers import parse_uuid
from promises import sourcing_store


def get_sourcing_options(run_id):
    """A kept SourcingOptionsResponse; gone (404) once its options are no longer valid."""
    run = parse_uuid(run_id)
    response = sourcing_store.find(run, clock.now()) if run is not None else None
    if response is None:
        raise NotFound(
            "Sourcing options not found.",
            f"No sourcing options {run_id}: unknown, or past their validUntil.",
        )
    return response
