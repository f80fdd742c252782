"""The dashboard lets go of the DuckDB file while idle, so CLI commands can write meanwhile."""

from __future__ import annotations

import subprocess
import sys
import time

from fastapi.testclient import TestClient

from adbudget.store import Store
from adbudget.workspace import Workspace


def _write_from_another_process(db: str) -> subprocess.CompletedProcess:
    code = ("import duckdb,sys; c=duckdb.connect(sys.argv[1]); "
            "c.execute(\"INSERT INTO meta VALUES ('probe', 'from-cli')\"); c.close()")
    return subprocess.run([sys.executable, "-c", code, db], capture_output=True, text=True, timeout=60)


def test_server_releases_the_store_when_idle_and_reopens_it(tmp_path):
    from adbudget.web.app import create_app

    Workspace.init(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws", lock_wait_s=10)
    db = str(ws.store.path)
    try:
        app = create_app(ws)
        client = TestClient(app)
        assert client.get("/api/status").status_code == 200
        # while the server holds the file, another process cannot write
        busy = _write_from_another_process(db)
        assert busy.returncode != 0 and "lock" in busy.stderr.lower()
        app.state.adb.start_idle_release(idle_s=0.2, poll_s=0.05)
        deadline = time.monotonic() + 10
        while ws.store.is_open and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not ws.store.is_open
        done = _write_from_another_process(db)
        assert done.returncode == 0, done.stderr
        # the next request reopens the file and sees what the other process wrote
        assert client.get("/api/status").status_code == 200
        assert ws.store.scalar("SELECT value FROM meta WHERE key = 'probe'") == "from-cli"
    finally:
        ws.close()


def test_store_waits_for_a_holder_that_lets_go(tmp_path):
    path = tmp_path / "a.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import duckdb,sys,time; c=duckdb.connect(sys.argv[1]); print('ok', flush=True); "
         "time.sleep(1.0); c.close(); time.sleep(30)", str(path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ok"
        started = time.monotonic()
        store = Store(path, lock_wait_s=20)
        assert 0.3 < time.monotonic() - started < 20
        store.close()
    finally:
        holder.kill()
        holder.wait()


def test_a_page_that_reads_outside_the_lock_is_never_released_under(tmp_path):
    """A page handler that calls the workspace without the app's lock (brand and loop pages
    did) took longer than the idle time: the releaser closed the store in the middle of its
    query (a 500, "Connection already closed") and its own thread died on the busy
    connection. Idle now means no request in flight."""
    from adbudget.web.app import create_app

    Workspace.init(tmp_path / "ws")
    ws = Workspace.open(tmp_path / "ws", lock_wait_s=10)
    try:
        app = create_app(ws)

        @app.get("/slow-unlocked")
        def slow() -> dict:
            con = ws.store.con  # a long computation's connection, held past the idle time
            time.sleep(0.4)
            return {"n": [int(con.execute("SELECT count(*) FROM meta").fetchall()[0][0])]}

        state = app.state.adb
        thread = state.start_idle_release(idle_s=0.05, poll_s=0.01)
        client = TestClient(app, raise_server_exceptions=False)
        r = client.get("/slow-unlocked")
        assert r.status_code == 200, r.text  # was 500: "Connection already closed"
        assert r.json()["n"][0] >= 1
        assert state.in_flight == 0
        deadline = time.monotonic() + 10  # and once idle, the file is let go as before
        while ws.store.is_open and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not ws.store.is_open and thread.is_alive()
    finally:
        ws.close()
