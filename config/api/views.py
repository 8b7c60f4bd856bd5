from django.views.decorators.csrf import csrf_exempt

from config.api.errors import api_error_response


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    return api_error_response(404, description=f"No API endpoint at {request.path}.")
