"""A throwaway PostgreSQL server for the tests, started from the machine's own binaries.

The suite never mocks the database: :func:`throwaway_server` runs ``initdb`` into a
fresh temporary directory, starts ``postgres`` on 127.0.0.1 and a free port (its unix
socket stays inside that directory), creates one database, and stops the server and
removes the directory when the ``with`` block ends, however it ends. Authentication is
``trust`` (nothing but this machine can reach it) and ``fsync`` stays on, so what the
benchmarks measure are durable commits. When the tests run as root the server runs as
the ``postgres`` system user, as PostgreSQL refuses to run as root.

Set ``KAMCORE_TEST_PG_URL`` to use an existing server instead (any ``postgresql://``
URL; the tests create their own schemas in it). :func:`unavailable` says, as a skip
reason, what is missing and how to install it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kamcore.errors import KamError

ENV_URL = "KAMCORE_TEST_PG_URL"
ENV_REQUIRED = "KAMCORE_TEST_PG_REQUIRED"  # set by .ci/run: skipping would hide a failure
DATABASE = "kamcore_test"
SUPERUSER = "postgres"
_SYSTEM_USER = "postgres"  # who runs the server when the tests run as root
_INSTALL_PYTHON = "pip install 'kamcore[postgres]' (or pip install -e '.[test]')"
_INSTALL_SERVER = (
    "apt-get install postgresql (or put initdb and pg_ctl on PATH), "
    f"or set {ENV_URL}=postgresql://user@host:port/database"
)
_START_TIMEOUT_S = 30
_LOG_TAIL_LINES = 40


class ServerStartError(KamError):
    """The throwaway PostgreSQL server could not be started; the message ends with its log."""


@dataclass(frozen=True, slots=True)
class Server:
    """A running throwaway server: where it listens and the SQLAlchemy URL of its database."""

    url: str
    host: str
    port: int
    socket_dir: Path
    data_dir: Path
    bin_dir: Path
    started_in_s: float


def sqlalchemy_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named, as SQLAlchemy needs it.

    >>> sqlalchemy_url("postgresql://me@db:5432/crm")
    'postgresql+psycopg://me@db:5432/crm'
    >>> sqlalchemy_url("postgres://me@db/crm")
    'postgresql+psycopg://me@db/crm'
    >>> sqlalchemy_url("postgresql+psycopg://me@db/crm")
    'postgresql+psycopg://me@db/crm'
    """
    return re.sub(r"^postgres(?:ql)?(?:\+[a-z0-9_]+)?://", "postgresql+psycopg://", url)


def find_bin_dir() -> Path | None:
    """Return the newest PostgreSQL server's ``bin`` directory on this machine, if any.

    Debian and Ubuntu install each major version under ``/usr/lib/postgresql/N/bin``;
    elsewhere ``initdb`` and ``pg_ctl`` are usually on ``PATH``.
    """
    candidates = [
        p.parent
        for p in Path("/usr/lib/postgresql").glob("*/bin/postgres")
        if (p.parent / "initdb").exists() and (p.parent / "pg_ctl").exists()
    ]
    if candidates:
        return max(candidates, key=_major_version)
    initdb, pg_ctl = shutil.which("initdb"), shutil.which("pg_ctl")
    if initdb and pg_ctl and Path(initdb).parent == Path(pg_ctl).parent:
        return Path(initdb).parent
    return None


def _major_version(bin_dir: Path) -> tuple[int, ...]:
    """Order ``/usr/lib/postgresql/<version>/bin`` directories by version, numerically."""
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name)) or (0,)


def unavailable() -> str | None:
    """Return why PostgreSQL tests cannot run here (a skip reason), or ``None`` if they can."""
    missing = [m for m in ("sqlalchemy", "psycopg") if importlib.util.find_spec(m) is None]
    if missing:
        return f"the PostgreSQL tests need {' and '.join(missing)}: {_INSTALL_PYTHON}"
    if os.environ.get(ENV_URL):
        return None
    if find_bin_dir() is None:
        return f"no PostgreSQL server binaries (/usr/lib/postgresql/*/bin): {_INSTALL_SERVER}"
    if os.geteuid() == 0 and _system_user() is None:
        return (
            f"running as root, but there is no {_SYSTEM_USER!r} system user to run the "
            f"server as: {_INSTALL_SERVER}"
        )
    return None


def _system_user() -> pwd.struct_passwd | None:
    """Return the ``postgres`` system user, if the machine has one."""
    try:
        return pwd.getpwnam(_SYSTEM_USER)
    except KeyError:
        return None


def _free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _temp_root() -> str:
    """Return a directory the server's user can reach, for the server's own directory."""
    root = tempfile.gettempdir()
    if os.geteuid() == 0 and not os.stat(root).st_mode & 0o001:
        return "/tmp"  # TMPDIR is private to root; the postgres user could not get in
    return root


def _log_tail(log: Path) -> str:
    """Return the last lines of the server log, or a note that there is none."""
    try:
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return "(no server log was written)"
    return "\n".join(lines[-_LOG_TAIL_LINES:]) or "(the server log is empty)"


class _Runner:
    """Runs the server's programs in its directory, as ``postgres`` when we are root."""

    def __init__(self, bin_dir: Path, base: Path) -> None:
        self.bin_dir = bin_dir
        self.base = base
        self.prefix = ["runuser", "-u", _SYSTEM_USER, "--"] if os.geteuid() == 0 else []
        # libpq variables of the caller's shell must not redirect the server's tools
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.env["LC_ALL"] = "C"

    def __call__(self, program: str, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [*self.prefix, str(self.bin_dir / program), *args]
        return subprocess.run(  # our own arguments, no shell
            cmd,
            cwd=self.base,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=_START_TIMEOUT_S * 2,
            check=False,
        )


def _conf(base: Path, port: int) -> str:
    """Return the settings appended to ``postgresql.conf`` (later lines win)."""
    socket_dir = str(base).replace("'", "''")
    return (
        "\n# kamcore tests: a throwaway server\n"
        "listen_addresses = '127.0.0.1'\n"
        f"port = {port}\n"
        f"unix_socket_directories = '{socket_dir}'\n"
        "fsync = on\n"
        "synchronous_commit = on\n"
        "full_page_writes = on\n"
        "max_connections = 100\n"
        "timezone = 'UTC'\n"
        "logging_collector = off\n"
        "log_min_messages = warning\n"
    )


def _connect_and_create_database(host: str, port: int) -> None:
    """Wait until the server takes connections, then create the test database."""
    import psycopg

    deadline = time.monotonic() + _START_TIMEOUT_S
    while True:
        try:
            with psycopg.connect(
                host=host, port=port, user=SUPERUSER, dbname="postgres", autocommit=True
            ) as conn:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@contextlib.contextmanager
def throwaway_server(bin_dir: Path | None = None) -> Iterator[Server]:
    """Start a fresh PostgreSQL server, yield it, and stop and remove it afterwards.

    Raises:
        ServerStartError: no binaries were found, or ``initdb`` or the server failed;
            the message carries the tail of the server log.
    """
    bin_dir = bin_dir or find_bin_dir()
    if bin_dir is None:
        raise ServerStartError(f"no PostgreSQL server binaries: {_INSTALL_SERVER}")
    began = time.monotonic()
    base = Path(tempfile.mkdtemp(prefix="kamcore-pg-", dir=_temp_root()))
    user = _system_user() if os.geteuid() == 0 else None
    if user is not None:
        os.chown(base, user.pw_uid, user.pw_gid)
    data, log = base / "data", base / "server.log"
    run = _Runner(bin_dir, base)
    started = False
    try:
        done = run(
            "initdb", "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync", "--no-instructions",
        )  # fmt: skip
        if done.returncode:
            raise ServerStartError(f"initdb failed ({done.returncode}): {done.stderr.strip()}")
        for _attempt in range(3):  # another process may take the free port first
            port = _free_port()
            with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
                conf.write(_conf(base, port))
            done = run(
                "pg_ctl", "start", "-D", str(data), "-l", str(log), "-w",
                "-t", str(_START_TIMEOUT_S),
            )  # fmt: skip
            started = done.returncode == 0
            if started or "Address already in use" not in _log_tail(log):
                break
        if not started:
            raise ServerStartError(
                f"the PostgreSQL server in {data} did not start ({done.returncode}): "
                f"{(done.stdout + done.stderr).strip()}\n--- server log ---\n{_log_tail(log)}"
            )
        try:
            _connect_and_create_database("127.0.0.1", port)
        except Exception as e:
            raise ServerStartError(
                f"the PostgreSQL server on 127.0.0.1:{port} took no connection: {e}\n"
                f"--- server log ---\n{_log_tail(log)}"
            ) from e
        yield Server(
            url=f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}",
            host="127.0.0.1",
            port=port,
            socket_dir=base,
            data_dir=data,
            bin_dir=bin_dir,
            started_in_s=time.monotonic() - began,
        )
    finally:
        if started:
            stopped = run("pg_ctl", "stop", "-D", str(data), "-m", "fast", "-w")
            if stopped.returncode:
                run("pg_ctl", "stop", "-D", str(data), "-m", "immediate", "-w")
        shutil.rmtree(base, ignore_errors=True)
