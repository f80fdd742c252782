"""What the app holds: one open workspace behind a lock, a section cache, pending uploads."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from starlette.requests import Request

from adbudget.i18n import LANGUAGES, set_language
from adbudget.report.generic import jsonable
from adbudget.report.model import Section
from adbudget.workspace import report_pages  # gathers each page (what ws.reports.page calls)

log = logging.getLogger("adbudget.web")

T = TypeVar("T")
LANG_COOKIE = "adb_lang"


@dataclass
class PendingUpload:
    """An uploaded file held in memory between preview and commit."""

    name: str
    data: bytes
    source: str | None
    market: str | None
    created: float = field(default_factory=time.monotonic)


class UseLock:
    """A re-entrant lock that remembers when it was last let go (the server's idle clock)."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.last_used = time.monotonic()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self._lock.acquire(blocking, timeout)

    def release(self, used: bool = True) -> None:
        """Let go; ``used=False`` keeps the idle clock (the idle releaser's own visit)."""
        if used:
            self.last_used = time.monotonic()
        self._lock.release()

    def __enter__(self) -> UseLock:
        self._lock.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


@dataclass
class AppState:
    """One workspace per server. DuckDB connections are not shared across threads safely,
    so every workspace call runs under ``lock``. With :meth:`start_idle_release` the server
    lets go of the DuckDB file when idle, so CLI commands can write while the dashboard runs."""

    ws: Any
    token: str | None = None
    upload_limit: int = 20 * 1024 * 1024
    max_pending: int = 8
    pending_ttl_s: float = 1800.0
    lock: UseLock = field(default_factory=UseLock)
    pending: OrderedDict[str, PendingUpload] = field(default_factory=OrderedDict)
    version_ttl_s: float = 1.0
    default_lang: str | None = None  # `serve --lang`; else the workspace's language setting
    _cache: dict[tuple[str, str], tuple[Any, Section]] = field(default_factory=dict)
    _json: dict[tuple[str, str], tuple[Any, bytes]] = field(default_factory=dict)
    _views: dict[tuple[Any, ...], tuple[Any, Any]] = field(default_factory=dict)
    jobs: dict[str, Any] = field(default_factory=dict)  # background refits by id
    notices: OrderedDict[str, str] = field(default_factory=OrderedDict)  # "what changed" by id
    _version: tuple[float, Any] = (float("-inf"), None)
    in_flight: int = 0  # requests being answered (InFlight middleware); never idle while > 0

    def begin_request(self) -> None:
        self.in_flight += 1

    def end_request(self) -> None:
        self.in_flight -= 1
        self.lock.last_used = time.monotonic()

    def start_idle_release(self, idle_s: float = 1.0, poll_s: float = 0.25) -> threading.Thread:
        """Close the store after ``idle_s`` seconds without a request (a daemon thread); the
        next request reopens it, waiting for a CLI command that holds the file meanwhile."""
        def loop() -> None:
            while True:
                time.sleep(poll_s)
                store = getattr(self.ws, "store", None)
                if store is None or not getattr(store, "is_open", False):
                    continue
                if self.in_flight > 0 or time.monotonic() - self.lock.last_used < idle_s:
                    continue  # a page that calls the workspace without the lock is still idle-safe
                if self.lock.acquire(blocking=False):
                    try:
                        if self.in_flight == 0 and time.monotonic() - self.lock.last_used >= idle_s:
                            store.release()
                    except Exception:  # a call outside the lock is running: try again later
                        log.warning("idle release postponed: the store is busy", exc_info=True)
                    finally:
                        self.lock.release(used=False)

        thread = threading.Thread(target=loop, name="adbudget-idle-release", daemon=True)
        thread.start()
        return thread

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call *fn* with the workspace lock held."""
        with self.lock:
            return fn(*args, **kwargs)

    def data_version(self) -> tuple[Any, ...]:
        """A cheap fingerprint of what pages depend on (the workspace's own); a change
        invalidates cached sections."""
        return tuple(self.ws.data_fingerprint()) + (id(self.ws.settings),)

    def current_version(self) -> Any:
        """The data fingerprint, re-read at most every ``version_ttl_s`` seconds. Writes made
        through the app call :meth:`invalidate`; writes by CLI commands (possible while the
        server is idle and has released the file) show up within ``version_ttl_s``."""
        now = time.monotonic()
        if now - self._version[0] > self.version_ttl_s:
            self._version = (now, self.data_version())
        return self._version[1]

    def fresh_json(self, page: str, lang: str) -> bytes | None:
        """Cached JSON of a page when it is known fresh, without touching the store or the lock
        (the fast path for the API; None means: build it in a worker thread)."""
        stamp, version = self._version
        if time.monotonic() - stamp > self.version_ttl_s:
            return None
        hit = self._json.get((page, lang))
        cached = self._cache.get((page, lang))
        if hit is None or cached is None or cached[0] != version or hit[0] != (version, id(cached[1])):
            return None
        return hit[1]

    def section_json(self, page: str, lang: str) -> bytes:
        """The page's Section as JSON bytes (cached with the section)."""
        with self.lock:
            section = self.section(page, lang)
            version = self._version[1]
            hit = self._json.get((page, lang))
            if hit is not None and hit[0] == (version, id(section)):
                return hit[1]
            body = json.dumps(jsonable(section.to_json()), ensure_ascii=False,
                              allow_nan=False).encode("utf-8")
            self._json[(page, lang)] = ((version, id(section)), body)
            return body

    def section(self, page: str, lang: str) -> Section:
        """The page's Section, rebuilt only when the data changed."""
        with self.lock:
            set_language(lang)
            version = self.current_version()
            hit = self._cache.get((page, lang))
            if hit is not None and hit[0] == version:
                return hit[1]
            # pages load the plan's frontier separately (/api/plan/frontier): it re-optimizes
            # at several budgets and must not hold up the plan itself
            options = {"with_frontier": False} if page == "plan" else {}
            section = report_pages.build(self.ws, page, lang, **options)
            self._cache[(page, lang)] = (version, section)
            return section

    def plan_section(self, lang: str, result: Any) -> Section:
        """The plan page's Section for a plan just made (without the frontier: it re-runs the
        optimizer; ``GET /api/plan/frontier`` has it)."""
        with self.lock:
            set_language(lang)
            return report_pages.plan(self.ws, lang, result=result, with_frontier=False)

    def view(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """A page's view model, rebuilt only when the data changed (under the lock)."""
        with self.lock:
            version = self.current_version()
            hit = self._views.get(key)
            if hit is not None and hit[0] == version:
                return hit[1]
            value = build()
            self._views[key] = (version, value)
            while len(self._views) > 64:
                self._views.pop(next(iter(self._views)))
            return value

    def invalidate(self) -> None:
        """Forget cached sections (call after any write)."""
        with self.lock:
            self._cache.clear()
            self._json.clear()
            self._views.clear()
            self._version = (float("-inf"), None)

    # -- uploads ----------------------------------------------------------------------------
    def hold(self, upload: PendingUpload) -> str:
        """Keep an upload for commit; returns its server-made id (oldest dropped past the cap)."""
        now = time.monotonic()
        for key in [k for k, u in self.pending.items() if now - u.created > self.pending_ttl_s]:
            self.pending.pop(key, None)
        while len(self.pending) >= self.max_pending:
            self.pending.popitem(last=False)
        key = secrets.token_urlsafe(12)
        self.pending[key] = upload
        return key

    def notice(self, text: str) -> str:
        """Keep a message for the next page (by a server-made id, so a link cannot put
        arbitrary text on a page); the 32 latest are kept."""
        key = secrets.token_urlsafe(8)
        self.notices[key] = text
        while len(self.notices) > 32:
            self.notices.popitem(last=False)
        return key

    def take(self, key: str) -> PendingUpload | None:
        return self.pending.pop(key, None)

    def peek(self, key: str) -> PendingUpload | None:
        return self.pending.get(key)


class InFlight:
    """ASGI middleware counting the requests being answered, so the idle releaser never
    closes the store under a request (a page that reads the workspace outside ``lock``
    included): "idle" means no request for ``idle_s`` seconds."""

    def __init__(self, app: Any, state: AppState) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        self.state.begin_request()
        try:
            await self.app(scope, receive, send)
        finally:
            self.state.end_request()


def get_state(request: Request) -> AppState:
    return request.app.state.adb


def request_lang(request: Request) -> str:
    """?lang= wins, then the cookie, then the workspace's language setting."""
    q = request.query_params.get("lang")
    if q in LANGUAGES:
        return q  # type: ignore[return-value]
    c = request.cookies.get(LANG_COOKIE)
    if c in LANGUAGES:
        return c  # type: ignore[return-value]
    state = get_state(request)
    if state.default_lang in LANGUAGES:
        return state.default_lang  # type: ignore[return-value]
    return getattr(state.ws.settings, "language", "en")
