from collections import Counter

COLLECTION_SUFFIXES = (("_retrieve", "_list"), ("_update", "_upsert"), ("_destroy", "_clear"))


def unique_operation_ids(result, generator, request, public):
    """drf-spectacular post-processing hook: our collection endpoints are plain APIViews, which
    drf-spectacular names like their detail endpoints (`GET /api/stocks` and
    `GET /api/stocks/{stockId}` both `stocks_retrieve`). Client generators need unique ids, so
    the collection side of each collision is renamed (`stocks_list`, `stocks_upsert`, ...)."""
    operations = [
        (path, operation)
        for path, methods in result.get("paths", {}).items()
        for operation in methods.values()
        if isinstance(operation, dict) and "operationId" in operation
    ]
    counts = Counter(operation["operationId"] for _, operation in operations)
    for path, operation in operations:
        operation_id = operation["operationId"]
        if counts[operation_id] < 2 or path.rstrip("/").endswith("}"):
            continue
        for suffix, replacement in COLLECTION_SUFFIXES:
            if operation_id.endswith(suffix):
                operation["operationId"] = operation_id[: -len(suffix)] + replacement
                break
    return result


def public_component_descriptions(result, generator, request, public):
    """drf-spectacular post-processing hook: a component's description comes from its
    serializer's docstring, which is written for the engineers of this code (and inherited by
    every subclass). A shop's developer reads the schema, so component descriptions are
    dropped; field descriptions (help texts) stay."""
    for component in result.get("components", {}).get("schemas", {}).values():
        if isinstance(component, dict) and "enum" not in component:
            component.pop("description", None)
    return result
