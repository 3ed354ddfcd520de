"""The embedded PostgreSQL of `make run` starts wherever the checkout is, also as root in a private folder."""

import os
import shutil
from pathlib import Path

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
