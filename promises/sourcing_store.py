"""Where POST /api/routing/sourcingoptions keeps its answers for GET …/sourcingoptions/{id}:
the `sourcing_options` cache (config/settings.py: Redis with REDIS_URL, else files under var/
that every process of the node shares), not the database. A what-if writes nothing there
(issue 18); an answer lives until its options' validUntil and is never read after it."""

import math

from django.core.cache import caches

from config.errors import ServiceUnavailable
from config.file_cache import LifetimeFileCache

CACHE_ALIAS = "sourcing_options"


def _key(run_id):
    return f"sourcing-options:{run_id}"


def keep(response, now, valid_until):
    """Keep the SourcingOptionsResponse `response` (made at `now`) until `valid_until`."""
    seconds = math.ceil((valid_until - now).total_seconds())
    try:
        caches[CACHE_ALIAS].set(
            _key(response["id"]), (valid_until, response), timeout=max(seconds, 1)
        )
    except Exception as error:  # Redis down or the directory unwritable: an id nobody could read
        raise _unavailable(error) from error


def find(run_id, now):
    """The kept response with id `run_id` if its options are still valid at `now`, else None
    (the cache's own expiry runs on the wall clock; this check on the product's clock)."""
    try:
        entry = caches[CACHE_ALIAS].get(_key(run_id))
    except Exception as error:
        raise _unavailable(error) from error
    if entry is None or entry[0] <= now:
        return None
    return entry[1]


def _unavailable(error):
    return ServiceUnavailable(
        "The store of sourcing options is briefly unavailable: retry the request.",
        f"The store answered {type(error).__name__}; nothing was kept.",
    )


def delete_expired(now):
    """For the expiry sweep: drop the answers past their lifetime at `now`. Only files need it;
    Redis expires its keys itself."""
    store = caches[CACHE_ALIAS]
    if isinstance(store, LifetimeFileCache):
        return store.delete_expired(now.timestamp())
    return 0
