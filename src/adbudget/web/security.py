"""Security at the edge: access token, CSRF, body size limit, host check, response headers.

- Loopback binding needs no token; any other address requires one, checked on every request
  (``Authorization: Bearer``, ``X-Adbudget-Token``, the ``adb_token`` cookie, or ``?token=``
  once, which redirects to the same page without it and sets the cookie). A missing or
  wrong token gets 401.
- CSRF: form posts carry ``csrf_token`` equal to the ``adb_csrf`` cookie (double submit,
  SameSite=Strict). API posts must be JSON or carry a custom header, which a cross-site form
  cannot send. A cross-site ``Origin``/``Sec-Fetch-Site`` is refused outright.
- Bodies over the limit are refused with 413 before they are parsed.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_COOKIE = "adb_token"
CSRF_COOKIE = "adb_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MIN_TOKEN_LENGTH = 16  # a --token given for a non-loopback address must be at least this long

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    """A random URL-safe token (about 190 bits)."""
    return secrets.token_urlsafe(24)


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def supplied_token(request: Request) -> tuple[str | None, bool]:
    """The token the client sent and whether it came in the query string."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip(), False
    if request.headers.get("x-adbudget-token"):
        return request.headers["x-adbudget-token"], False
    if request.cookies.get(TOKEN_COOKIE):
        return request.cookies[TOKEN_COOKIE], False
    if request.query_params.get("token"):
        return request.query_params["token"], True
    return None, False


def csrf_cookie(request: Request) -> str | None:
    return request.cookies.get(CSRF_COOKIE)


def csrf_ok_for_form(request: Request, field_value: str | None) -> bool:
    """Double-submit check for an HTML form post."""
    return _same(csrf_cookie(request), field_value)


def csrf_ok_for_api(request: Request) -> bool:
    """API writes: JSON bodies or a custom header (neither can come from a cross-site form)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        return True
    if _same(csrf_cookie(request), request.headers.get(CSRF_HEADER)):
        return True
    return bool(request.headers.get("authorization") or request.headers.get("x-adbudget-token"))


def cross_site(request: Request) -> bool:
    """True when the browser tells us the request comes from another site."""
    site = request.headers.get("sec-fetch-site")
    if site and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin and origin != "null":
        host = request.headers.get("host", "")
        return origin.split("://", 1)[-1] != host
    return False


class SecurityMiddleware:
    """Token check, cross-site refusal, CSRF cookie issue and security headers (pure ASGI)."""

    def __init__(self, app: ASGIApp, token: str | None, allowed_hosts: list[str] | None,
                 error: Callable[[Request, int, str], Awaitable[Response]] | None = None) -> None:
        self.app = app
        self.token = token
        self.allowed_hosts = allowed_hosts
        self.error = error

    async def _reject(self, request: Request, status: int, message: str) -> Response:
        if self.error is not None:
            return await self.error(request, status, message)
        if request.url.path.startswith("/api"):
            return JSONResponse({"detail": message}, status_code=status)
        return PlainTextResponse(message, status_code=status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.allowed_hosts is not None:
            host = Headers(scope=scope).get("host", "").rsplit(":", 1)[0]
            if host.startswith("[") or ":" in host:
                host = host.strip("[]")
            if host not in self.allowed_hosts:
                response = await self._reject(request, 400, "invalid host header")
                await response(scope, receive, send)
                return
        set_token_cookie = False
        if self.token is not None:
            token, from_query = supplied_token(request)
            if not _same(token, self.token):
                response = await self._reject(request, 401, "missing or wrong access token")
                response.headers["WWW-Authenticate"] = "Bearer"
                await response(scope, receive, send)
                return
            set_token_cookie = from_query
            if from_query and request.method in ("GET", "HEAD"):
                # trade the token in the URL for a cookie and drop it from the address bar
                query = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                target = request.url.path + ("?" + urlencode(query) if query else "")
                response = RedirectResponse(target, status_code=303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict",
                                    path="/")
                await response(scope, receive, send)
                return
        if request.method in UNSAFE and cross_site(request):
            response = await self._reject(request, 403, "cross-site request refused")
            await response(scope, receive, send)
            return
        need_csrf = CSRF_COOKIE not in request.cookies
        csrf_value = new_token() if need_csrf else None
        if need_csrf:
            # the page rendered in this request must see the cookie it is about to get
            scope.setdefault("state", {})["csrf_token"] = csrf_value
        token_value = self.token

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                extra = {
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"no-referrer",
                    b"content-security-policy": CSP.encode(),
                    b"cache-control": b"no-store",
                }
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra.items() if k not in present]
                if need_csrf:
                    headers.append((b"set-cookie", f"{CSRF_COOKIE}={csrf_value}; Path=/; "
                                    "SameSite=Strict".encode()))
                if set_token_cookie and token_value:
                    headers.append((b"set-cookie", f"{TOKEN_COOKIE}={token_value}; Path=/; "
                                    "HttpOnly; SameSite=Strict".encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


class BodyLimitMiddleware:
    """Refuse request bodies over *limit* bytes (413), by Content-Length and while streaming."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length and length.isdigit() and int(length) > self.limit:
            await _too_large(scope, receive, send, self.limit)
            return
        seen = 0
        started = exceeded = answered = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    exceeded = True
                    raise _TooLarge()
            return message

        async def watch_send(message: Message) -> None:
            # a body parser may catch _TooLarge and answer 400 itself: answer 413 instead
            nonlocal started, answered
            if answered:
                return
            if message["type"] == "http.response.start":
                if exceeded:
                    answered = True
                    await _too_large(scope, receive, send, self.limit)
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, watch_send)
        except _TooLarge:
            if not started and not answered:
                await _too_large(scope, receive, send, self.limit)


class _TooLarge(Exception):
    pass


async def _too_large(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    path = scope.get("path", "")
    text = f"request body too large (limit {limit // 1024} KB)"
    response: Any = (JSONResponse({"detail": text}, status_code=413) if path.startswith("/api")
                     else PlainTextResponse(text, status_code=413))
    await response(scope, receive, send)
