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


API_ERROR_SCHEMA = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["summary"],
        "properties": {
            "summary": {"type": "string"},
            "description": {"type": "string"},
            "version": {"type": "integer"},
            "requestVersion": {"type": "integer"},
        },
    },
}
# Errors any operation can answer (authentication, permission, a malformed request or query,
# an unknown or expired id, the rate limit, a database briefly unavailable), and those only a
# request with a body can (a stale version, a body too large, a media type not JSON).
ANY_OPERATION_ERRORS = {
    "400": "Invalid request: the summary names the field.",
    "401": "Missing or unknown bearer token.",
    "403": "The token's user lacks the permission.",
    "404": "Not found (or an expired promise).",
    "429": "Rate limit reached: retry after Retry-After seconds.",
    "503": "The database is briefly unavailable: retry after Retry-After seconds.",
}
WRITE_ERRORS = {
    "409": "Version conflict: `version` names the current one.",
    "413": "Request body too large.",
    "415": "The request body must be JSON.",
}
PUBLIC_PATHS = ("/api/schema/", "/api/docs/", "/api/redoc/")


def documented_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation declares the error statuses it can
    answer, each with the `ApiError` body, so a client (and schemathesis) meets no undocumented
    status code."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["ApiError"] = API_ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    for path, methods in result.get("paths", {}).items():
        if path in PUBLIC_PATHS:
            continue
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = dict(ANY_OPERATION_ERRORS)
            if method in ("post", "put", "patch"):
                errors.update(WRITE_ERRORS)
            for status, description in errors.items():
                operation["responses"].setdefault(status, {"description": description})
            # Every error, these and those an operation declares itself (a 422), is an ApiError.
            for status, response in operation["responses"].items():
                if status[:1] in ("4", "5") and isinstance(response, dict):
                    response.setdefault("content", reference)
    return result
