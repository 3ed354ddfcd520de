"""The embedded PostgreSQL of `make run` starts wherever the checkout is, also as root in a private folder."""

import asyncio
import os
import shutil
from pathlib import Path

import asyncpg
import pytest

from erkenning.devtools.embedded import EmbeddedPostgres, _pg_bindir, port_answers


@pytest.mark.skipif(os.geteuid() != 0 or _pg_bindir() is None, reason="needs root and PostgreSQL's server binaries")
def test_as_root_a_cluster_under_a_private_folder_starts_and_starts_again(tmp_path: Path) -> None:
    private = tmp_path / "checkout"
    private.mkdir(mode=0o700)  # as /root or a mkdtemp folder: the postgres user cannot enter it
    wanted = private / ".data" / "postgres"
    first = EmbeddedPostgres(wanted, fsync=False).start()
    try:
        assert first.data_dir != wanted  # kept where the postgres user can reach it
        assert (first.data_dir / "pgdata" / "PG_VERSION").exists()
        assert port_answers("127.0.0.1", first.port)
    finally:
        first.stop()
    again = EmbeddedPostgres(wanted, fsync=False).start()  # the next `make run` finds the same cluster
    try:
        assert again.data_dir == first.data_dir
        assert port_answers("127.0.0.1", again.port)
    finally:
        again.stop()
        shutil.rmtree(again.data_dir, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0 or _pg_bindir() is None, reason="needs root and PostgreSQL's server binaries")
def test_the_embedded_postgres_offers_pg_trgm_for_the_register_name_search(tmp_path: Path) -> None:
    """`make run`'s cluster from the local binaries can run the migration that creates pg_trgm's index."""
    private = tmp_path / "checkout"
    private.mkdir(mode=0o700)
    server = EmbeddedPostgres(private / ".data" / "postgres", fsync=False).start()

    async def offered() -> int:
        conn = await asyncpg.connect(server.admin_url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            return int(await conn.fetchval("SELECT (similarity('Korenschoof', 'korenschoof bakkerij') > 0)::int"))
        finally:
            await conn.close()

    try:
        assert asyncio.run(offered()) == 1
    finally:
        server.stop()
        shutil.rmtree(server.data_dir, ignore_errors=True)
