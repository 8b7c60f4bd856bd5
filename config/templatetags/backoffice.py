import calendar
import datetime

from django import template
from django.contrib.admin.templatetags import admin_list
from django.db.models import Max, Min
from django.utils import formats, timezone
from django.utils.text import capfirst

from config import admin_dashboard
from config.unreadable import UnreadableValueError

register = template.Library()

# Dates Python can hold in any time zone; a row outside them (damaged in the database) is left
# out of the date navigation, while the list still shows it with a placeholder.
READABLE_DATES = (
    datetime.datetime(1, 1, 2, tzinfo=datetime.UTC),
    datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC),
)


@register.inclusion_tag("admin/date_hierarchy.html")
def readable_date_hierarchy(cl):
    """Django's date hierarchy, hidden instead of failing the whole list when a date in the
    table cannot be read (config.unreadable)."""
    try:
        return admin_list.date_hierarchy(cl)
    except UnreadableValueError:
        return {"show": False}


@register.simple_tag(takes_context=True)
def backoffice_dashboard(context):
    """The dashboard figures, or None for a user who may not see orders."""
    request = context.get("request")
    if request is None or not request.user.has_perm("orders.view_order"):
        return None
    figures = admin_dashboard.dashboard()
    return {"figures": figures, "chart": admin_dashboard.funnel_chart(figures.funnel)}


@register.filter
def percent(value):
    return "—" if value is None else f"{value * 100:.0f} %"


@register.inclusion_tag("admin/date_hierarchy.html")
def calendar_date_hierarchy(cl):
    """Django's date hierarchy without its SELECT DISTINCT over the whole table: the choices are
    the calendar periods between the table's first and last date (one MIN/MAX query an index
    answers). A period with no matching order may appear; it then lists nothing."""
    periods = _DatePeriods(cl)
    try:
        year, month, day = periods.chosen()
    except (TypeError, ValueError):
        return {"show": False}
    bounds = periods.table_bounds()
    if bounds is None:
        return {"show": False}
    first, last = bounds
    if not (year or month or day) and first.year == last.year:
        year = first.year
        if first.month == last.month:
            month = first.month
    if year and month and day:
        return periods.one_day(datetime.date(year, month, day))
    if year and month:
        return periods.days_of_month(year, month, first, last)
    if year:
        return periods.months_of_year(year, first, last)
    return periods.years(first, last)


class _DatePeriods:
    """The date hierarchy's query parameters, links and levels for one change list."""

    def __init__(self, cl):
        self.cl = cl
        self.field_name = cl.date_hierarchy
        self.year_field = f"{self.field_name}__year"
        self.month_field = f"{self.field_name}__month"
        self.day_field = f"{self.field_name}__day"

    def link(self, filters):
        return self.cl.get_query_string(filters, [f"{self.field_name}__"])

    def chosen(self):
        """(year, month, day) of the query string, each None when absent; ValueError or
        TypeError when one is not a number."""
        fields = (self.year_field, self.month_field, self.day_field)
        values = (self.cl.params.get(name) for name in fields)
        return tuple(_number(value) if value else None for value in values)

    def table_bounds(self):
        """First and last local date of the whole table, or None when there is no row or the
        first or last date is damaged in the database (config.unreadable): the list itself
        still shows, without this navigation."""
        # The whole table (an index answers at once), not the filtered rows: a filtered
        # MIN/MAX costs as much as the filter itself.
        bounds = self.cl.model._default_manager.filter(
            **{f"{self.field_name}__range": READABLE_DATES}
        ).aggregate(first=Min(self.field_name), last=Max(self.field_name))
        if not all(isinstance(bounds[key], datetime.datetime) for key in ("first", "last")):
            return None
        return tuple(timezone.localtime(bounds[key]).date() for key in ("first", "last"))

    def one_day(self, chosen):
        return {
            "show": True,
            "back": {
                "link": self.link({self.year_field: chosen.year, self.month_field: chosen.month}),
                "title": capfirst(formats.date_format(chosen, "YEAR_MONTH_FORMAT")),
            },
            "choices": [{"title": capfirst(formats.date_format(chosen, "MONTH_DAY_FORMAT"))}],
        }

    def days_of_month(self, year, month, first, last):
        days_in_month = calendar.monthrange(year, month)[1]
        days = [
            datetime.date(year, month, number_of_day)
            for number_of_day in range(1, days_in_month + 1)
            if first <= datetime.date(year, month, number_of_day) <= last
        ]
        return {
            "show": True,
            "back": {"link": self.link({self.year_field: year}), "title": str(year)},
            "choices": [
                {
                    "link": self.link(
                        {self.year_field: year, self.month_field: month, self.day_field: each.day}
                    ),
                    "title": capfirst(formats.date_format(each, "MONTH_DAY_FORMAT")),
                }
                for each in days
            ],
        }

    def months_of_year(self, year, first, last):
        months = [
            datetime.date(year, number_of_month, 1)
            for number_of_month in range(1, 13)
            if (first.year, first.month) <= (year, number_of_month) <= (last.year, last.month)
        ]
        return {
            "show": True,
            "back": {"link": self.link({}), "title": "All dates"},
            "choices": [
                {
                    "link": self.link({self.year_field: year, self.month_field: each.month}),
                    "title": capfirst(formats.date_format(each, "YEAR_MONTH_FORMAT")),
                }
                for each in months
            ],
        }

    def years(self, first, last):
        return {
            "show": True,
            "back": None,
            "choices": [
                {"link": self.link({self.year_field: str(each)}), "title": str(each)}
                for each in range(first.year, last.year + 1)
            ],
        }


def _number(value):
    value = value[-1] if isinstance(value, list) else value
    return int(value)
