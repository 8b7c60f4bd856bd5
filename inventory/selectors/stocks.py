"""Stock reads for the API: single rows and pages with their levels, and per-article summaries."""

from django.db.models import Exists, F, Min, OuterRef, Sum

from config.errors import NotFound
from config.identifiers import parse_uuid
from inventory import sql
from inventory.models import Listing, Stock
from inventory.selectors.availability import active_reservations, with_stock_levels
from inventory.selectors.pages import page_by_id


def stocks_with_levels(*, now=None):
    """Stock rows with `reserved`, `available` and the facility's `tenant_facility_id`,
    all in the same query."""
    return for_rendering(Stock.objects.all(), now=now)


def for_rendering(stocks, *, now=None):
    """`stocks` with what the stock entity renders besides its columns: levels and the
    facility's `tenant_facility_id`, in the same query."""
    return with_stock_levels(
        stocks.annotate(tenant_facility_id=F("facility__tenant_facility_id")), now=now
    )


def list_stocks(
    *, facility_id=None, tenant_article_ids=(), location_refs=(), start_after_id=None, size=25
):
    """(page of stocks with their levels, total matching, whether more follow)."""
    stocks = Stock.objects.all()
    if facility_id is not None:
        stocks = stocks.filter(facility_id=facility_id)
    if tenant_article_ids:
        stocks = stocks.filter(tenant_article_id__in=tenant_article_ids)
    if location_refs:
        stocks = stocks.filter(extra__locationRef__in=location_refs)
    total = stocks.count()
    levels = stocks_with_levels().filter(pk__in=stocks.values("pk"))
    page, has_next = page_by_id(levels, Stock, start_after_id, size)
    return page, total, has_next


def get_stock(stock_id, *, now=None):
    stock_uuid = parse_uuid(stock_id)
    stock = stocks_with_levels(now=now).filter(id=stock_uuid).first() if stock_uuid else None
    if stock is None:
        raise NotFound("Stock not found.", f"No stock with id {stock_id!r}.")
    return stock


def stock_summaries(
    *,
    tenant_article_ids=(),
    facility_ids=None,
    facility_statuses=(),
    facility_service_types=(),
    start_after_id=None,
    size=25,
    now=None,
):
    """Per article, the stock summed over the selected facilities: one page of article ids,
    then one availability aggregate over (article, facility) and one query for titles.

    Returns (summaries, total) where each summary is a dict of article id, title, value,
    reserved, safety stock, available (each row's availability, summed) and the facility ids
    that hold stock of it.
    """
    stocks = _stocks_to_summarise(
        tenant_article_ids, facility_ids, facility_statuses, facility_service_types
    )
    if tenant_article_ids and not start_after_id:
        # At most the requested ids: one query gives the figures, the page and the total.
        rows = sql.article_totals(stocks)
        total, rows = len(rows), rows[:size]
    else:
        rows, total = _article_totals_page(stocks, start_after_id, size)
    if not rows:
        return [], total
    page = [row["tenant_article_id"] for row in rows]
    page_stocks = stocks.filter(tenant_article_id__in=page)
    reserved = _reserved_by_article(page_stocks, page, now)
    kept_back = _kept_back_by_article(page_stocks, now)
    titles = _titles_by_article(page)
    summaries = []
    for row in rows:
        article = row["tenant_article_id"]
        safety_stock, withheld = kept_back.get(article, (0, 0))
        on_hand = row["total_value"] - reserved.get(article, 0)
        summaries.append(
            {
                "tenant_article_id": article,
                "title": titles.get(article, article),
                "value": row["total_value"],
                "reserved": reserved.get(article, 0),
                "safety_stock": safety_stock,
                "unreserved": max(on_hand, 0),
                "available": max(on_hand - withheld, 0),
                "facility_ids": [str(facility_id) for facility_id in row["facility_ids"]],
            }
        )
    return summaries, total


def _stocks_to_summarise(tenant_article_ids, facility_ids, facility_statuses, service_types):
    stocks = Stock.objects.all()
    if tenant_article_ids:
        stocks = stocks.filter(tenant_article_id__in=tenant_article_ids)
    if facility_ids is not None:
        stocks = stocks.filter(facility_id__in=facility_ids)
    if facility_statuses:
        stocks = stocks.filter(facility__status__in=facility_statuses)
    for service_type in service_types:
        stocks = stocks.filter(facility__services__icontains=f'"{service_type}"')
    return stocks


def _article_totals_page(stocks, start_after_id, size):
    """(totals of the page of articles after `start_after_id`, how many articles in all)."""
    articles = stocks.values_list("tenant_article_id", flat=True).order_by("tenant_article_id")
    articles = articles.distinct()
    total = articles.count()
    if start_after_id:
        articles = articles.filter(tenant_article_id__gt=start_after_id)
    page = list(articles[:size])
    return (sql.article_totals(stocks.filter(tenant_article_id__in=page)) if page else []), total


def _reserved_by_article(page_stocks, page, now):
    """What active reservations hold of each article on these stock rows: one joined aggregate
    (a per-row reservation subquery over hundreds of facilities is slower)."""
    return dict(
        active_reservations(now)
        .filter(tenant_article_id__in=page, stock__in=page_stocks)
        .values("tenant_article_id")
        .order_by("tenant_article_id")
        .annotate(total=Sum("quantity"))
        .values_list("tenant_article_id", "total")
    )


def _kept_back_by_article(page_stocks, now):
    """{article: (safety stock of its listings, units it keeps out of availability)} over the
    rows whose listing keeps a safety stock (few: the others are all available, less what is
    reserved). The units kept back come from the availability rule itself, row by row: a
    row's safety stock never takes more than the row has unreserved."""
    kept_back_listing = Listing.objects.filter(
        facility=OuterRef("facility"),
        tenant_article_id=OuterRef("tenant_article_id"),
        safety_stock__gt=0,
    )
    rows = with_stock_levels(page_stocks.filter(Exists(kept_back_listing)), now=now).values_list(
        "tenant_article_id", "value", "reserved", "safety_stock", "available"
    )
    totals = {}
    for article, value, reserved, safety_stock, available in rows:
        configured, withheld = totals.get(article, (0, 0))
        totals[article] = (configured + safety_stock, withheld + value - reserved - available)
    return totals


def _titles_by_article(page):
    return dict(
        Listing.objects.filter(tenant_article_id__in=page)
        .exclude(title="")
        .values("tenant_article_id")
        .order_by("tenant_article_id")
        .annotate(title=Min("title"))
        .values_list("tenant_article_id", "title")
    )
