"""Errors under ``/api/`` are JSON, whatever raised them.

Inside django-ninja every error is mapped by ``caidan.api`` to ``{"code", "message",
"detail"}``. What escapes it (an unexpected exception in a handler, an error in a
middleware, a request Django itself refuses: a bad Host, a body too large, a malformed
multipart) is turned by Django into its HTML error page; for API clients this middleware
replaces that page with the same JSON shape and keeps the status. The exception itself is
still logged by Django (``django.request``) as before.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

API_PREFIX = "/api/"

_MESSAGES = {
    400: ("bad_request", _("请求格式无效，无法处理。")),
    403: ("permission_denied", _("请求被拒绝。")),
    404: ("not_found", _("找不到请求的接口或对象。")),
    405: ("method_not_allowed", _("该接口不支持此请求方法。")),
    413: ("too_large", _("请求内容过大。")),
}


def error_json(status: int, code: str, message: str, detail: dict | None = None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": str(message), "detail": detail or {}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


class ApiJsonErrorMiddleware:
    """Outermost middleware: an API error response that is not JSON becomes JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        if status >= 500:
            new = error_json(
                status,
                "server_error",
                _("服务器内部错误，请稍后再试；如问题持续，请联系平台管理员。"),
            )
        else:
            code, message = _MESSAGES.get(status, ("http_error", _("请求无法处理。")))
            new = error_json(status, code, message)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                new[header] = response[header]
        return new
