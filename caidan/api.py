"""The JSON API root: django-ninja under /api/v1/ (OpenAPI at /api/v1/openapi.json).

Authentication: a personal API token (``Authorization: Bearer cd_…``) for clients, or the
browser session (with CSRF) for the web UI (``caidan.accounts.api_auth``, where the apps'
routers find ``optional_actor`` too: they never import this module, which imports them).

Errors: every ``DomainError`` and every framework error is mapped here, once, to
``{"code", "message", "detail"}`` with an HTTP 4xx status. Bad input never reaches a
500: JSON strings with lone UTF-16 surrogates are refused by the parser, numbers too
large for the database and malformed multipart bodies are 400. What still escapes (a real
server error) is answered as JSON too, by ``caidan.common.middleware``.
"""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer

from caidan.accounts.api_auth import (  # noqa: F401 - optional_actor: old import path
    SessionActorAuth,
    TokenAuth,
    optional_actor,
)
from caidan.common.codes import Common
from caidan.common.errors import DomainError, field_error


def lone_surrogate_path(value, path: str = "") -> str | None:
    """The dotted path of the first string (or key) in parsed JSON that holds a lone UTF-16
    surrogate (``"\\ud800"``: valid JSON, but no Unicode text; it cannot be stored or
    encoded), or None. A pair of surrogates escapes one character and is fine."""
    if isinstance(value, str):
        return path if any("\ud800" <= ch <= "\udfff" for ch in value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if lone_surrogate_path(key) is not None:
                return path or "（字段名）"
            found = lone_surrogate_path(item, here)
            if found is not None:
                return found
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found = lone_surrogate_path(item, f"{path}.{n}" if path else str(n))
            if found is not None:
                return found
    return None


class StrictJSONParser(Parser):
    """JSON bodies as ninja parses them, refusing text that is not Unicode."""

    def parse_body(self, request):
        data = json.loads(request.body)  # ninja answers a parse error with 400
        path = lone_surrogate_path(data)
        if path is not None:
            raise field_error(
                path or "body",
                _(
                    "字段“%(value)s”含有无效字符（单独的 UTF-16 代理项，如 \\ud800），不是有效的 Unicode 文本。"
                )
                % {"value": path or "请求体"},
                code=Common.INVALID_TEXT,
            )
        return data


class Utf8JSONRenderer(JSONRenderer):
    """JSON as UTF-8 text: 政府购买 as itself, not ``\\u653f\\u5e9c…`` (ninja's
    renderer escapes every non-ASCII character by default). A string that cannot be
    encoded (a lone surrogate) falls back to the escaped form, still valid JSON."""

    json_dumps_params = {"ensure_ascii": False}  # noqa: RUF012 - ninja's own attribute

    def render(self, request, data, *, response_status):
        text = super().render(request, data, response_status=response_status)
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(data, cls=self.encoder_class).encode("ascii")


class CaidanAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """``caidan_<app>_api_<handler>`` wherever the handler lives: an app's ``api.py`` that
        grows into a package (``caidan.<app>.api.<aggregate>``) keeps its operation ids, which
        generated clients are built on."""
        parts = operation.view_func.__module__.split(".")
        if len(parts) > 3 and parts[0] == "caidan" and parts[2] == "api":
            parts = parts[:3]
        return "_".join([*parts, operation.view_func.__name__]).replace(".", "_")


api = CaidanAPI(
    title="Caidan 菜单 API",
    version="1",
    description=(
        "政府购买公共服务平台的开放接口。Government purchase of public services: catalog, "
        "projects, procurement, contracts, evaluation and disclosure."
    ),
    auth=[TokenAuth(), SessionActorAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    parser=StrictJSONParser(),
    renderer=Utf8JSONRenderer(),
)


def _error(request, status: int, code: str, message: str, detail=None):
    return api.create_response(
        request, {"code": code, "message": str(message), "detail": detail or {}}, status=status
    )


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return _error(request, exc.status_code, exc.code, exc.message, exc.detail)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return _error(
        request, 401, "not_authenticated", _("请先登录，或在请求头中提供有效的 API 令牌。")
    )


@api.exception_handler(NinjaValidationError)
def on_validation_error(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", [])]
        # ninja prefixes the source ("body", "query", "path", "file", "form", …) and, for
        # bodies, the parameter name ("payload"); keep only the field's own path.
        if loc and loc[0] in {"body", "query", "path", "file", "form", "header", "cookie"}:
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        errors.append({"field": ".".join(loc), "message": err.get("msg", "")})
    first = errors[0] if errors else {"field": "", "message": ""}
    return _error(
        request,
        400,
        "invalid",
        _("请求参数“%(field)s”无效：%(message)s")
        % {"field": first["field"], "message": first["message"]},
        {"field": first["field"], "errors": errors},
    )


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return _error(request, 404, "not_found", _("找不到请求的对象。"))


@api.exception_handler(DjangoPermissionDenied)
def on_forbidden(request, exc):
    return _error(request, 403, "permission_denied", _("当前角色无权进行此操作。"))


@api.exception_handler(MultiPartParserError)
def on_bad_multipart(request, exc):
    return _error(
        request,
        400,
        "bad_multipart",
        _("上传请求格式无效（multipart/form-data 缺少或含有无效的 boundary）。"),
        {"field": "file"},
    )


@api.exception_handler(OverflowError)
def on_overflow(request, exc):
    # A number too large for the database (an id above 2^63-1) or for a date.
    return _error(request, 400, "out_of_range", _("请求中的数值超出允许范围。"))


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # raised by our parser, wrapped by ninja
        return on_domain_error(request, exc.__cause__)
    return _error(request, exc.status_code, "http_error", str(exc))


def _mount() -> None:
    from caidan.accounts.api import router as accounts_router
    from caidan.audit.api import router as audit_router
    from caidan.catalog.api import router as catalog_router
    from caidan.contracts.api import router as contracts_router
    from caidan.disclosure.api import router as disclosure_router
    from caidan.documents.api import router as documents_router
    from caidan.evaluations.api import router as evaluations_router
    from caidan.jurisdiction.api import router as jurisdiction_router
    from caidan.needs.api import router as needs_router
    from caidan.notifications.api import router as notifications_router
    from caidan.orgs.api import router as orgs_router
    from caidan.procurement.api import router as procurement_router
    from caidan.projects.api import router as projects_router

    api.add_router("/", accounts_router)
    api.add_router("/audit", audit_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/jurisdiction", jurisdiction_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/orgs", orgs_router)
    api.add_router("/documents", documents_router)
    api.add_router("/needs", needs_router)
    api.add_router("/projects", projects_router)
    api.add_router("/procurement", procurement_router)
    api.add_router("/contracts", contracts_router)
    api.add_router("/evaluations", evaluations_router)
    api.add_router("/ocds", disclosure_router)
    api.add_router("/notices", "caidan.disclosure.notices_api.router")
    api.add_router("/enquiries", "caidan.enquiries.api.router")
    api.add_router("/complaints", "caidan.complaints.api.router")
    api.add_router("/stats", "caidan.stats.api.router")


_mount()
