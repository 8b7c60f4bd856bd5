"""What the inventory views share: permissions per method, the facility a list is filtered
by, page info."""

from inventory.selectors.facilities import resolve_facility


def perms(model, **methods):
    """{"GET": ["inventory.view_<model>"], ...} for the given method → action pairs."""
    return {method: [f"inventory.{action}_{model}"] for method, action in methods.items()}


def query_facility_id(query):
    """The id of the facility a validated query's `facilityRef` or `tenantFacilityId` names,
    or None."""
    reference = query.get("facilityRef") or query.get("tenantFacilityId")
    return resolve_facility(reference).id if reference else None


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
