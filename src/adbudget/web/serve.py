"""Run the dashboard with uvicorn: loopback by default; any other address needs a token."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from adbudget.errors import UsageError
from adbudget.i18n import t
from adbudget.web.security import MIN_TOKEN_LENGTH, is_loopback, new_token

IDLE_RELEASE_S = 1.0  # the server closes the store after this long without a request
IDLE_LOCK_WAIT_S = 30.0  # a request waits this long for a CLI command that holds the store


def plan_access(host: str, token: str | None) -> tuple[str | None, bool]:
    """The token to enforce and whether we generated it (non-loopback without --token).

    A given token must not be blank, and on an address other than loopback it must be at least
    ``MIN_TOKEN_LENGTH`` characters (a short token on a network is guessed in minutes).
    """
    if token is not None:
        if not token.strip() or token != token.strip():
            raise UsageError(t("ingest.serve.token_blank"))
        if not is_loopback(host) and len(token) < MIN_TOKEN_LENGTH:
            raise UsageError(t("ingest.serve.token_short", n=MIN_TOKEN_LENGTH, host=host))
        return token, False
    if is_loopback(host):
        return None, False
    return new_token(), True


def serve(workspace: Path, host: str = "127.0.0.1", port: int = 8765, token: str | None = None,
          upload_limit_mb: int = 20, echo: Callable[[str], None] = print,
          lang: str | None = None) -> None:
    """Open the workspace and serve until interrupted; the store is released while idle."""
    import uvicorn

    from adbudget.web.app import create_app
    from adbudget.workspace import Workspace

    token, generated = plan_access(host, token)
    ws = Workspace.open(workspace, lock_wait_s=IDLE_LOCK_WAIT_S)
    try:
        app = create_app(ws, token=token, upload_limit=upload_limit_mb * 2**20, default_lang=lang)
        # let go of the DuckDB file between requests, so `adbudget import` etc. can write
        app.state.adb.start_idle_release(IDLE_RELEASE_S)
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}/"
        if token:
            echo(t("web.serve.token_url", url=f"{url}?token={token}"))
            if generated:
                echo(t("web.serve.token_generated"))
        else:
            echo(t("web.serve.url", url=url))
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False,
                    server_header=False)
    finally:
        ws.close()
