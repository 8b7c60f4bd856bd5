"""Presentation helpers shared by the apps' admin modules (no business rules here)."""

import json
from datetime import timedelta

import isodate
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.html import format_html

# Above this many rows an unfiltered changelist shows the planner's estimate, not COUNT(*).
ESTIMATE_COUNT_ABOVE = 50_000


class EstimatedCountPaginator(Paginator):
    """COUNT(*) over a whole large table costs a full scan on PostgreSQL; the statistics'
    row estimate is good enough for "page 1 of ~4,000". Filtered lists are counted exactly."""

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is not None and not query.where and _is_postgresql(queryset.db):
            estimate = _estimated_rows(queryset.db, queryset.model._meta.db_table)
            if estimate > ESTIMATE_COUNT_ABOVE:
                return estimate
        return super().count


def _is_postgresql(alias):
    return connections[alias].vendor == "postgresql"


def _estimated_rows(alias, table):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass", [table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else -1


def humanize_timedelta(delta):
    """timedelta(hours=8) -> "8 hours"; timedelta(minutes=90) -> "1 hour 30 minutes"."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "0 seconds"
    parts = []
    for unit_seconds, name in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        amount, seconds = divmod(seconds, unit_seconds)
        if amount:
            parts.append(f"{amount} {name}{'' if amount == 1 else 's'}")
    return " ".join(parts)


def humanize_iso_duration(value):
    """ "PT8H" -> "8 hours"; anything unparsable -> "" (the service reports the error)."""
    try:
        duration = isodate.parse_duration(value)
    except (isodate.ISO8601Error, ValueError, TypeError):
        return ""
    if not isinstance(duration, timedelta):
        # Months or years: no fixed length, show it as written.
        return str(duration)
    return humanize_timedelta(duration)


def short_time_left(delta):
    """A compact countdown for list columns: "7 h 59 min", "12 min", "expired"."""
    seconds = int(delta.total_seconds())
    if seconds <= 0:
        return "expired"
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes = max(1, seconds // 60) if not (days or hours) else seconds // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


def pretty_json(value):
    """JSON as an indented, read-only block."""
    if value in (None, {}, []):
        return "—"
    text = json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False)
    return format_html('<pre class="doms-json">{}</pre>', text)


def service_error_text(error):
    """A config.errors.ServiceError as one readable sentence for an admin message."""
    if error.description and error.description != error.summary:
        return f"{error.summary} {error.description}"
    return error.summary


def report_service_error(request, error):
    messages.error(request, service_error_text(error))
