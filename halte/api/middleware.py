"""Answers Django and ninja give outside any endpoint (an unknown path, a wrong
method) in the API's one error shape, so clients never parse HTML."""

from django.http import JsonResponse

from halte.core.api.errors import ErrorCode, error_body

API_PREFIX = "/api/"


def api_error_shape(get_response):
    def middleware(request):
        response = get_response(request)
        if not request.path.startswith(API_PREFIX) or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        if response.status_code == 404:
            return JsonResponse(error_body(ErrorCode.NOT_FOUND), status=404)
        if response.status_code == 405:
            replacement = JsonResponse(error_body(ErrorCode.METHOD_NOT_ALLOWED), status=405)
            replacement["Allow"] = response.get("Allow", "")
            return replacement
        return response

    return middleware
