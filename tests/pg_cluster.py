"""A throwaway PostgreSQL cluster for the test suite, from the machine's own binaries.

``PgCluster.start()`` runs ``initdb`` and ``pg_ctl start`` on a free port in a fresh directory
under /tmp (as the ``postgres`` user through ``runuser`` when we are root, since PostgreSQL refuses
to run as root), listening on 127.0.0.1 only, with durability switched off for speed.
``stop()`` shuts it down (``-m immediate``) and removes the directory; an ``atexit`` hook does the
same if the test run ends abnormally, and the next run reaps clusters whose owning process died.
Missing binaries raise: a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import atexit
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SEARCH_DIRS = ("/usr/local/bin", "/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin")
SERVER_SETTINGS = (
    "listen_addresses=127.0.0.1",
    "fsync=off",
    "synchronous_commit=off",
    "full_page_writes=off",
    "max_connections=100",
    "shared_buffers=32MB",
)


PREFIX = "microlend-pg-"
OWNER_FILE = "owner.pid"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started: the run fails (it is never skipped)."""


def find_binary(name: str) -> str:
    configured = os.environ.get("MICROLEND_PG_BIN")
    candidates = [Path(configured) / name] if configured else []
    candidates += [Path(directory) / name for directory in SEARCH_DIRS]
    found = shutil.which(name)
    if found:
        candidates.insert(0, Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise PostgresUnavailable(
        f"{name} not found (looked on PATH and in {', '.join(SEARCH_DIRS)}); install PostgreSQL 15"
        " or set MICROLEND_PG_BIN"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PgCluster:
    superuser: str = "postgres"
    port: int = 0
    root: Path | None = None
    _started: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        assert self.root is not None
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", self.superuser, "--", *argv]
        return argv

    def _run(self, argv: list[str]) -> None:
        result = subprocess.run(
            self._as_owner(argv), capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )

    def start(self, attempts: int = 3) -> PgCluster:
        initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
        reap_abandoned(self)
        self.root = Path(tempfile.mkdtemp(prefix=PREFIX, dir="/tmp"))
        (self.root / OWNER_FILE).write_text(str(os.getpid()))
        if os.geteuid() == 0:
            owner = pwd.getpwnam(self.superuser)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        atexit.register(self.stop)
        self._run(
            [
                initdb,
                "-D",
                str(self.data_dir),
                "-U",
                self.superuser,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ]
        )
        error: PostgresUnavailable | None = None
        for _ in range(attempts):
            self.port = free_port()
            options = " ".join(
                [f"-p {self.port}", f"-k {self.root}"] + [f"-c {s}" for s in SERVER_SETTINGS]
            )
            log = self.root / "server.log"
            try:
                self._run(
                    [
                        pg_ctl,
                        "-D",
                        str(self.data_dir),
                        "-o",
                        options,
                        "-l",
                        str(log),
                        "-w",
                        "-t",
                        "60",
                        "start",
                    ]
                )
            except PostgresUnavailable as failure:
                error = failure
                continue
            self._started = True
            return self
        raise error or PostgresUnavailable("pg_ctl start failed")

    def stop(self) -> None:
        if self.root is None:
            return
        if self._started:
            pg_ctl = find_binary("pg_ctl")
            subprocess.run(
                self._as_owner([pg_ctl, "-D", str(self.data_dir), "-m", "immediate", "stop"]),
                capture_output=True,
                timeout=60,
                check=False,
            )
            self._started = False
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_abandoned(template: PgCluster) -> None:
    """Stop and remove clusters left behind by test runs that were killed."""
    for root in Path("/tmp").glob(f"{PREFIX}*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue
        if _alive(owner):
            continue
        abandoned = PgCluster(superuser=template.superuser, root=root, _started=True)
        abandoned.stop()
