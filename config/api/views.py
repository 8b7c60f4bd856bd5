from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt

from config.api.errors import api_error_response


def _without_trailing_slash(path):
    """The endpoint `path` names with its trailing slash dropped, if there is one."""
    if not path.endswith("/") or path == "/api/":
        return None
    candidate = path.rstrip("/")
    try:
        match = resolve(candidate)
    except Resolver404:
        return None
    return None if match.func is api_not_found else candidate


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    # Our paths have no trailing slash, as the reference's; Django users type one. A read is
    # redirected; a write is not (a redirected POST would lose its body in many clients).
    endpoint = _without_trailing_slash(request.path)
    if endpoint and request.method in ("GET", "HEAD"):
        query = request.META.get("QUERY_STRING")
        return HttpResponsePermanentRedirect(f"{endpoint}?{query}" if query else endpoint)
    if endpoint:
        return api_error_response(
            404, description=f"No API endpoint at {request.path}; did you mean {endpoint}?"
        )
    return api_error_response(404, description=f"No API endpoint at {request.path}.")
