"""schemathesis against the OpenAPI schema: no 500s on any generated request (optional, slow).

schemathesis is not a project dependency; install it in its own venv and point to it::

    python3.11 -m venv /work/benchenv-web && /work/benchenv-web/bin/pip install schemathesis
    ADBUDGET_SCHEMATHESIS=/work/benchenv-web/bin/st .venv/bin/pytest tests/web -m slow
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

ST = os.environ.get("ADBUDGET_SCHEMATHESIS", "")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ST or not Path(ST).exists(),
                                 reason="set ADBUDGET_SCHEMATHESIS to a schemathesis 'st' binary")]


def test_no_server_errors_on_generated_requests(tmp_path):
    import uvicorn

    from adbudget.web import create_app
    from tests.web.conftest import planning_class
    from tests.web.data import free_port, make_workspace

    make_workspace(tmp_path / "ws").close()
    ws = planning_class().open(tmp_path / "ws")
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(ws), host="127.0.0.1", port=port,
                                        log_level="error"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    while not srv.started:
        time.sleep(0.05)
    try:
        run = subprocess.run(
            [ST, "run", f"http://127.0.0.1:{port}/api/openapi.json", "--checks",
             "not_a_server_error", "--max-examples", "25", "--request-timeout", "30",
             "--seed", "1"], capture_output=True, text=True, timeout=600)
    finally:
        srv.should_exit = True
        thread.join(10)
        ws.close()
    assert run.returncode == 0, run.stdout[-3000:]
