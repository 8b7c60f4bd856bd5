"""Figures for the back-office dashboard on the admin index: a few aggregate queries.

A promise is an order created with `promisesOptions.validUntil` (the delivery-promise flow sets
it; confirm keeps it). Figures are per *cohort*: of the promises created on a day, how many are
now confirmed (OPEN or LOCKED: a confirmed order cancelled later no longer counts), how many
expired (cancelled by the expiry sweep, which records a status reason), and how many are still
waiting. The conversion rate of a day is confirmed / created.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from inventory.models import Stock
from inventory.selectors.availability import with_stock_levels
from orders.models import Order, OrderStatus
from promises.sql import EXPIRED_REASON

FUNNEL_DAYS = 14


@dataclass(frozen=True)
class FunnelDay:
    day: object
    created: int
    confirmed: int
    expired: int
    waiting: int

    @property
    def conversion_rate(self):
        return self.confirmed / self.created if self.created else None


@dataclass(frozen=True)
class Dashboard:
    today: FunnelDay
    funnel: list
    open_orders: int
    stock_outs: int


def promise_orders():
    return Order.objects.filter(promises_options__has_key="validUntil")


def promise_funnel(*, days=FUNNEL_DAYS, now=None):
    """One FunnelDay per calendar day (UTC), oldest first, in one grouped query."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    first_day = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first_day, time.min))
    expired = Q(status=OrderStatus.CANCELLED) & Q(status_reasons__icontains=EXPIRED_REASON)
    rows = (
        promise_orders()
        .filter(created__gte=start)
        .annotate(day=TruncDate("created"))
        .order_by()
        .values("day")
        .annotate(
            created_count=Count("id"),
            confirmed_count=Count(
                "id", filter=Q(status__in=[OrderStatus.OPEN, OrderStatus.LOCKED])
            ),
            expired_count=Count("id", filter=expired),
            waiting_count=Count("id", filter=Q(status=OrderStatus.PROMISED)),
        )
    )
    by_day = {row["day"]: row for row in rows}
    funnel = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        row = by_day.get(day, {})
        funnel.append(
            FunnelDay(
                day=day,
                created=row.get("created_count", 0),
                confirmed=row.get("confirmed_count", 0),
                expired=row.get("expired_count", 0),
                waiting=row.get("waiting_count", 0),
            )
        )
    return funnel


def open_order_count():
    return Order.objects.filter(status=OrderStatus.OPEN).count()


def stock_out_count(*, now=None):
    """Stock rows (article at a facility) with nothing left to promise."""
    return with_stock_levels(Stock.objects.all(), now=now).filter(available__lte=0).count()


def dashboard(*, now=None):
    funnel = promise_funnel(now=now)
    return Dashboard(
        today=funnel[-1],
        funnel=funnel,
        open_orders=open_order_count(),
        stock_outs=stock_out_count(now=now),
    )


def funnel_chart(funnel, *, width=700, height=180):
    """Geometry of a server-rendered SVG bar chart: per day, a created bar with the confirmed
    and expired parts drawn inside it."""
    padding_left, padding_bottom, padding_top = 30, 22, 10
    plot_height = height - padding_bottom - padding_top
    highest = max([day.created for day in funnel] + [1])
    slot = (width - padding_left) / max(len(funnel), 1)
    bar = slot * 0.7
    bars = []
    for index, day in enumerate(funnel):
        x = padding_left + index * slot + (slot - bar) / 2

        def scaled(value):
            return plot_height * value / highest

        created_height = scaled(day.created)
        confirmed_height = scaled(day.confirmed)
        expired_height = scaled(day.expired)
        baseline = padding_top + plot_height
        bars.append(
            {
                "x": round(x, 1),
                "width": round(bar, 1),
                "label_x": round(x + bar / 2, 1),
                "label": day.day.strftime("%d"),
                "title": (
                    f"{day.day:%Y-%m-%d}: {day.created} created, {day.confirmed} confirmed, "
                    f"{day.expired} expired"
                ),
                "created_y": round(baseline - created_height, 1),
                "created_height": round(created_height, 1),
                "confirmed_y": round(baseline - confirmed_height, 1),
                "confirmed_height": round(confirmed_height, 1),
                "expired_y": round(baseline - confirmed_height - expired_height, 1),
                "expired_height": round(expired_height, 1),
            }
        )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "baseline": padding_top + plot_height,
        "top": padding_top,
        "highest": highest,
        "axis_x": padding_left - 4,
        "label_y": height - 6,
    }
