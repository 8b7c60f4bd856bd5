"""What the inventory views share: permissions per method, query parameters, page info."""

from config.errors import InvalidInput
from inventory.selectors.facilities import resolve_facility
from inventory.selectors.pages import STOCK_PAGE_SIZE_MAX, page_size


def perms(model, **methods):
    """{"GET": ["inventory.view_<model>"], ...} for the given method → action pairs."""
    return {method: [f"inventory.{action}_{model}"] for method, action in methods.items()}


def query_list(request, name):
    """Array query parameters, exploded (`?a=1&a=2`) or comma separated (`?a=1,2`)."""
    values = []
    for raw in request.query_params.getlist(name):
        values.extend(part for part in raw.split(",") if part)
    return values


def query_enum(request, name, choices):
    values = query_list(request, name)
    allowed = {value for value, _ in choices}
    unknown = [value for value in values if value not in allowed]
    if unknown:
        raise InvalidInput(f"{name}: {', '.join(unknown)} not one of {', '.join(sorted(allowed))}.")
    return values


def query_bool(request, name):
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if raw.lower() in ("true", "1"):
        return True
    if raw.lower() in ("false", "0"):
        return False
    raise InvalidInput(f"{name}: expected true or false.")


def query_facility_id(request):
    """The id of the facility `facilityRef` or `tenantFacilityId` names, or None."""
    reference = request.query_params.get("facilityRef") or request.query_params.get(
        "tenantFacilityId"
    )
    return resolve_facility(reference).id if reference else None


def query_stock_page_size(request):
    """`size` of the stock and reservation lists (the reference allows at most 100)."""
    return page_size(request.query_params.get("size"), maximum=STOCK_PAGE_SIZE_MAX)


def cursor_page(name, rendered, items, total, has_next, after):
    """A page of `items` under `name` (rendered), with the total and the cursors."""
    return {name: rendered, "total": total, "pageInfo": page_info(items, has_next, after)}


def page_info(items, has_next, after):
    return {
        "startCursor": str(items[0].id) if items else "",
        "endCursor": str(items[-1].id) if items else "",
        "hasNextPage": has_next,
        "hasPreviousPage": bool(after),
    }
