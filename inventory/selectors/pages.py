"""Page sizes and keyset pagination of the API's lists."""

from django.db.models import Q

from config.errors import InvalidInput
from config.identifiers import parse_uuid

MAX_PAGE_SIZE = 500
# The reference's maximum for stocks, stock summaries and reservations.
STOCK_PAGE_SIZE_MAX = 100


def after(queryset, model, start_after_id, order_field="id"):
    """Keyset pagination: the rows after `start_after_id` in (`order_field`, id) order."""
    if not start_after_id:
        return queryset
    after_id = parse_uuid(start_after_id)
    cursor = model.objects.filter(id=after_id).values(order_field).first() if after_id else None
    if cursor is None:
        raise InvalidInput(f"startAfterId: unknown id {start_after_id!r}.")
    if order_field == "id":
        return queryset.filter(id__gt=after_id)
    value = cursor[order_field]
    return queryset.filter(
        Q(**{f"{order_field}__gt": value}) | Q(**{order_field: value, "id__gt": after_id})
    )


def page_by_id(queryset, model, start_after_id, size):
    """(the `size` rows after `start_after_id` in id order, whether more follow)."""
    page = list(after(queryset, model, start_after_id).order_by("id")[: size + 1])
    return page[:size], len(page) > size
