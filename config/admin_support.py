"""Presentation helpers shared by the apps' admin modules (no business rules here)."""

import functools
import json
import logging
from datetime import timedelta

import isodate
from django import forms
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connections
from django.http import HttpResponseRedirect
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join

from config.errors import ServiceError
from config.unreadable import PLACEHOLDER, UnreadableValueError

logger = logging.getLogger(__name__)

# Above this many rows an unfiltered changelist shows the planner's estimate, not COUNT(*).
ESTIMATE_COUNT_ABOVE = 50_000
# A filtered changelist counts at most this many rows (then says "more than").
COUNT_AT_MOST = 10_000


class EstimatedCountPaginator(Paginator):
    """COUNT(*) over a large table is a full scan on PostgreSQL. Unfiltered, the statistics'
    row estimate is good enough for "about 100,000 orders"; filtered, counting stops after
    COUNT_AT_MOST rows, which is more pages than anyone clicks through."""

    count_is_estimate = False
    count_is_lower_bound = False

    @cached_property
    def count(self):
        queryset = self.object_list
        query = getattr(queryset, "query", None)
        if query is None:
            return super().count
        if not query.where and _is_postgresql(queryset.db):
            estimate = _estimated_rows(queryset.db, queryset.model._meta.db_table)
            if estimate > ESTIMATE_COUNT_ABOVE:
                self.count_is_estimate = True
                return estimate
            return super().count
        counted = queryset.order_by()[: COUNT_AT_MOST + 1].count()
        if counted > COUNT_AT_MOST:
            self.count_is_lower_bound = True
            return COUNT_AT_MOST
        return counted


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


def html_table(headers, rows, *, numeric_columns=()):
    """A read-only table of `rows` (tuples, escaped) under `headers`; the cells of
    `numeric_columns` (0-based) are right-aligned."""
    head = format_html_join("", "<th>{}</th>", ((header,) for header in headers))
    cells = "".join(
        "<td class='doms-num'>{}</td>" if column in numeric_columns else "<td>{}</td>"
        for column in range(len(headers))
    )
    body = format_html_join("", "<tr>" + cells + "</tr>", rows)
    return format_html(
        '<table class="doms-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body
    )


def unrenderable(error):
    """What a cell shows for a stored value that cannot be rendered (the reason on hover)."""
    return format_html('<span class="doms-unrenderable" title="{}">{}</span>', error, PLACEHOLDER)


def placeholder_when_unreadable(display):
    """For admin display methods that compute with stored values: a row holding one that
    cannot be read (damaged in the database) shows a placeholder in that cell, and the page
    still renders for every other row."""

    @functools.wraps(display)
    def wrapper(model_admin, obj):
        try:
            return display(model_admin, obj)
        except UnreadableValueError as error:
            logger.error("%s of %s %s: %s", display.__name__, type(obj).__name__, obj.pk, error)
            return unrenderable(error)

    return wrapper


def service_error_text(error):
    """A config.errors.ServiceError as one readable sentence for an admin message."""
    if error.description and error.description != error.summary:
        return f"{error.summary} {error.description}"
    return error.summary


def report_service_error(request, error):
    messages.error(request, service_error_text(error))


class ServiceBackedForm(forms.ModelForm):
    """A model form whose save is a service call.

    The service runs once the form (and the model's own constraints) validate, still inside
    the admin's transaction; a refusal becomes a form error, so the user keeps what they typed.
    `seen_version` carries the version the page was rendered with, for optimistic locking.
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    service_admin = None
    service_request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["seen_version"].initial = getattr(self.instance, "version", None)

    def _post_clean(self):
        super()._post_clean()
        if self._errors or self.service_admin is None:
            return
        try:
            self.service_result = self.service_admin.service_save(
                self.service_request, self, adding=self.instance._state.adding
            )
        except ServiceError as error:
            self.add_error(None, service_error_text(error))

    def changed_values(self, names):
        return {name: self.cleaned_data[name] for name in names if name in self.changed_data}


class ServiceBackedAdmin(admin.ModelAdmin):
    """Add, change and delete go through the app's services (`service_save`,
    `service_delete`), never through Model.save()/delete() here."""

    form = ServiceBackedForm

    def service_save(self, request, form, *, adding):
        raise NotImplementedError

    def service_delete(self, request, obj):
        raise NotImplementedError

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        first_name, first_options = fieldsets[0]
        fields = list(first_options["fields"])
        if "seen_version" not in fields:
            fields.append("seen_version")
        return [(first_name, {**first_options, "fields": fields}), *fieldsets[1:]]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        return type(
            form_class.__name__,
            (form_class,),
            {"service_admin": self, "service_request": request},
        )

    def save_model(self, request, obj, form, change):
        result = form.service_result
        # The admin goes on to log and redirect with `obj`: make it the saved row.
        obj.pk = result.pk
        obj.__dict__.update(
            {key: value for key, value in result.__dict__.items() if not key.startswith("_")}
        )
        obj._state.adding = False

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def get_deleted_objects(self, objs, request):
        # What else goes (or blocks the delete) is the service's decision, not the collector's.
        return [str(obj) for obj in objs], {self.opts.verbose_name: len(objs)}, set(), []

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceError as error:
            report_service_error(request, error)
            return HttpResponseRedirect(request.path.rsplit("delete/", 1)[0])

    def get_actions(self, request):
        # The bulk delete would bypass the services.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
