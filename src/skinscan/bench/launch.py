"""The one way to run ``skinscan serve`` for tests, benchmarks and the browser tests.

Start it on a free loopback port, wait until ``/api/v1/health`` answers 200, stop it with SIGTERM
(SIGKILL if it does not finish in time). The server's stdout (JSON access log) and stderr go to
temporary files, never to pipes, so a long load test cannot fill a pipe and stall the server.

From another language (web/scripts/lib.mjs)::

    python -m skinscan.bench.launch --model M [--web-dir D] [--env KEY=VALUE ...]

prints one JSON line ``{"origin", "port", "pid"}`` once the server is healthy, then keeps it
running until its stdin closes or it gets SIGTERM/SIGINT, and stops it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

HOST = "127.0.0.1"
HEALTH = "/api/v1/health"
STOP_TIMEOUT_S = 40.0
"""Longer than the server's own graceful shutdown (api/server.py GRACEFUL_SECONDS)."""


def haproxy_path() -> str | None:
    """Debian's haproxy (``skinscan cluster``), or None when it is not installed."""
    found = shutil.which("haproxy")
    return found or next((p for p in ("/usr/sbin/haproxy", "/usr/local/sbin/haproxy") if os.access(p, os.X_OK)), None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def is_healthy(port: int, timeout_s: float = 1.0, path: str = HEALTH) -> bool:
    """True when ``GET path`` (``/api/v1/health``, or ``/api/v1/ready``) on loopback answers 200."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout_s) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
            return sock.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), from /proc."""
    total = 0.0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return round(total, 1)


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat after the command name (which may hold spaces): field 3 is at index 0."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (all its threads) and of its live descendants (the
    worker processes of ``serve --workers N``), from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
            except (OSError, IndexError, ValueError):  # exited meanwhile
                continue
    family, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, of in parents.items() if of == parent and child not in family]
        family.update(children)
        frontier.extend(children)
    ticks = 0
    for member in family:
        try:
            fields = _stat(member)
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A running ``skinscan serve``; ``stop()`` ends it and returns its exit code."""

    process: subprocess.Popen[bytes]
    port: int
    _logs: tuple[IO[bytes], IO[bytes]] | None = field(repr=False)
    """Temporary files with its stdout and stderr; None when it writes to ours."""

    @property
    def origin(self) -> str:
        return f"http://{HOST}:{self.port}"

    def connect(self, timeout_s: float = 30.0) -> socket.socket:
        return socket.create_connection((HOST, self.port), timeout=timeout_s)

    def _read(self, which: int) -> str:
        if self._logs is None:
            return ""
        log = self._logs[which]
        log.flush()
        log.seek(0)
        return log.read().decode("utf-8", "replace")

    def stdout(self) -> str:
        return self._read(0)

    def stderr(self) -> str:
        return self._read(1)

    def wait(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        """Wait for the process to exit (after a signal); SIGKILL it past ``timeout_s``."""
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def stop(self, timeout_s: float = STOP_TIMEOUT_S) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.wait(timeout_s)

    def close(self) -> None:
        """Stop the server and drop its logs."""
        self.stop()
        for log in self._logs or ():
            log.close()


def start(
    model: str | Path,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    extra_args: Sequence[str] = (),
    timeout_s: float = 90.0,
    ready_path: str = HEALTH,
    own_logs: bool = False,
) -> Server:
    """``skinscan serve`` on a free loopback port, rate limit off unless ``env`` sets it.

    Returns once ``GET ready_path`` answers 200. With ``own_logs`` (``skinscan cluster``) the
    server writes to our stdout and stderr and keeps the rate limit of the environment. Raises
    ``RuntimeError`` with the end of the server's stderr when it exits or stays unhealthy.
    """
    port = free_port()
    command = [sys.executable, "-m", "skinscan.cli", "serve", "--host", HOST, "--port", str(port)]
    command += ["--model", str(model), "--workers", str(workers), *extra_args]
    base = dict(os.environ) if own_logs else {**os.environ, "SKINSCAN_RATE_LIMIT": "0"}
    logs = None if own_logs else (tempfile.TemporaryFile(), tempfile.TemporaryFile())  # noqa: SIM115 - closed by Server.close
    process = subprocess.Popen(
        command,
        env={**base, **(env or {})},
        stdout=logs[0] if logs else None,
        stderr=logs[1] if logs else None,
    )
    server = Server(process, port, logs)
    deadline = time.monotonic() + timeout_s
    while not is_healthy(port, path=ready_path):
        if process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            why = f"exited with {process.returncode}" if process.returncode is not None else "never became healthy"
            message = f"skinscan serve on port {port} {why}: {server.stderr()[-2000:]}"
            server.close()
            raise RuntimeError(message)
        time.sleep(0.1)
    return server


@dataclass
class ClusterRun:
    """A running ``skinscan cluster`` (HAProxy + replicas): its stdout (JSON lines) goes to ``log``."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def events(self) -> list[dict[str, object]]:
        """The cluster's own lines (``{"cluster": "ready" | "rolled" | "stopped", ...}``), in order."""
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith('{"cluster"')]

    def has(self, kind: str) -> bool:
        return any(event["cluster"] == kind for event in self.events())

    def wait_for(self, kind: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.has(kind):
            if self.process.poll() is not None:
                raise RuntimeError(f"skinscan cluster exited with {self.process.returncode} before {kind!r}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"skinscan cluster: no {kind!r} within {timeout_s} s")
            time.sleep(0.2)

    def stop(self, timeout_s: float = 90.0) -> int:
        """SIGTERM (everything stops gracefully); SIGKILL past ``timeout_s``."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


def start_cluster(
    model: str | Path, replicas: int, log: Path, env: dict[str, str] | None = None, timeout_s: float = 240.0
) -> ClusterRun:
    """``skinscan cluster`` on a free loopback port, rate limit off; returns once HAProxy sees all replicas."""
    port = free_port()
    command = [sys.executable, "-m", "skinscan.cli", "cluster", "--replicas", str(replicas), "--port", str(port)]
    with log.open("wb") as out, log.with_suffix(".err").open("wb") as err:
        process = subprocess.Popen(
            [*command, "--model", str(model)],
            env={**os.environ, "SKINSCAN_RATE_LIMIT": "0", **(env or {})},
            stdout=out,
            stderr=err,
        )
    run = ClusterRun(process, port, log)
    try:
        run.wait_for("ready", timeout_s)
    except RuntimeError as exc:
        run.stop()
        raise RuntimeError(f"{exc}: {log.with_suffix('.err').read_text(errors='replace')[-2000:]}") from exc
    return run


@contextmanager
def running(model: str | Path, **options: object) -> Iterator[Server]:
    """``with running(model) as server:`` — started and healthy inside, stopped after."""
    server = start(model, **options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skinscan.bench.launch", description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--web-dir", default=None, help="the built page (SKINSCAN_WEB_DIR)")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="server environment")
    parser.add_argument("--timeout-s", type=float, default=90.0, help="how long start-up may take")
    args = parser.parse_args(argv)
    env = dict(item.split("=", 1) for item in args.env)
    if args.web_dir:
        env["SKINSCAN_WEB_DIR"] = args.web_dir
    try:
        server = start(args.model, env=env, timeout_s=args.timeout_s)
    except RuntimeError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # -> the finally below
    try:
        sys.stdout.write(json.dumps({"origin": server.origin, "port": server.port, "pid": server.process.pid}) + "\n")
        sys.stdout.flush()
        sys.stdin.read()  # until the caller closes our stdin (or exits)
    except KeyboardInterrupt:
        pass
    finally:
        sys.stderr.write(server.stderr()[-4000:] if server.stop() not in (0, -signal.SIGTERM) else "")
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
