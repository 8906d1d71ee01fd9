"""A real PostgreSQL server for the tests: started once per session, stopped at its end.

Each test gets its own database, a copy of a template. Copying one takes longer than
most tests, so a helper thread keeps a few copies of the migrated template made ahead
and drops the tests' databases after them, while the tests run (the server does the
work in its own processes, on another core).

``initdb`` into a temporary folder, run by an unprivileged user (PostgreSQL refuses to
run as root: as root, the folder is handed to ``nobody`` and the server runs as it),
on a free local port, its unix socket in the same folder. Without PostgreSQL's
programs the tests that need it are skipped, saying why; on CI (``CI=true``) they fail.
"""

from __future__ import annotations

import glob
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
from pathlib import Path

SUPERUSER = "povtor"
TEMPLATE = "povtor_template"  # migrated once; every test's database is a copy of it


def binaries() -> Path | None:
    """The folder of initdb, pg_ctl and postgres (PostgreSQL 15 first), if any."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    candidates = [Path(p).parent for p in found]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).parent)
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "postgres")):
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One PostgreSQL server in a temporary folder (``start``, ``stop``)."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.folder = Path(tempfile.mkdtemp(prefix="povtor-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.user = "nobody" if os.geteuid() == 0 else None
        self._count = 0
        self._lock = threading.Lock()
        self.made: set[str] = set()  # the databases copied with copy_current
        # made ahead: copies of TEMPLATE ready to hand out; work: what the helper does next
        self._ready: queue.Queue[str] = queue.Queue()
        self._work: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._helper: threading.Thread | None = None

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self.user:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> None:
        if self.user:
            shutil.chown(self.folder, user=self.user)
        made = self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        if made.returncode != 0:
            raise RuntimeError(f"initdb failed: {made.stderr}")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        started = self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip
        if started.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")
            raise RuntimeError(f"pg_ctl start failed: {started.stderr}\n{log}")

    def url(self, database: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def _new_name(self) -> str:
        with self._lock:
            self._count += 1
            return f"test_{os.getpid()}_{self._count}"

    def new_database(self, template: str = TEMPLATE) -> str:
        """A new database, a copy of ``template``; its URL (a copy of TEMPLATE made ahead
        by the helper, when it has one ready)."""
        if template == TEMPLATE and self._helper is not None:
            self._work.put(("make", TEMPLATE))  # the next one, for a later test
            while self._helper.is_alive():
                try:
                    return self.url(self._ready.get(timeout=1))
                except queue.Empty:
                    continue
        name = self._new_name()
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def make_ahead(self, count: int = 2) -> None:
        """Start the helper thread, with ``count`` copies of TEMPLATE in the making."""
        self._helper = threading.Thread(target=self._help, name="povtor-pg-helper", daemon=True)
        self._helper.start()
        for _ in range(count):
            self._work.put(("make", TEMPLATE))

    def _help(self) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            while (task := self._work.get()) is not None:
                action, name = task
                if action == "make":
                    made = self._new_name()
                    connection.execute(f'CREATE DATABASE "{made}" TEMPLATE "{name}"')  # type: ignore[arg-type]
                    self._ready.put(made)
                else:  # (a database still in use is dropped all the same)
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    def drop(self, url: str) -> None:
        """Drop the database at ``url`` (a test's, at its end: the disk stays small)."""
        name = url.rsplit("/", 1)[1]
        if self._helper is not None and self._helper.is_alive():
            self._work.put(("drop", name))
        else:
            self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def copy_current(self, url: str, name: str) -> None:
        """Keep the database at ``url`` as it is now, as the template ``name``."""
        current = url.rsplit("/", 1)[1]
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE "{current}"')
        self.made.add(name)

    def stop(self) -> None:
        if self._helper is not None:
            while not self._work.empty():  # the server goes, its databases with it
                self._work.get_nowait()
            self._work.put(None)
            self._helper.join(60)
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
