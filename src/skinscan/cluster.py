"""``skinscan cluster --replicas N --port P``: N servers behind HAProxy on 127.0.0.1:P.

The local stand-in for a Kubernetes Service and its rolling update, for tests, benchmarks and
development; not an orchestrator (deploy/k8s/ is for real clusters).

- Each replica is one ``skinscan serve`` process on a free loopback port (bench/launch.py), with
  ``SKINSCAN_REPLICA_ID`` = its slot name (``r1``, ``r2``...), which it sends as ``X-Served-By``.
  The cores are divided among the replicas (``SKINSCAN_THREADS``) unless the environment sets it.
- HAProxy (Debian's package) balances to the replicas with the fewest requests in flight, checks
  each one's ``/api/v1/ready`` every second, retries a request whose connection failed on
  another replica, adds ``X-Forwarded-For`` (the replicas trust 127.0.0.1 for it, so the rate limit
  sees the real client) and answers ``/metrics`` itself with a 404 (scrape the replicas directly).
- SIGHUP rolls the replicas one at a time: take it out of HAProxy (state maint), wait until no
  request is in flight there, SIGTERM it (it finishes what it has), start a new one, wait until
  it is ready, put it back, wait until HAProxy's check has it up; then the next.
- SIGTERM or SIGINT stops everything: HAProxy stops listening and finishes its connections, the
  replicas finish their requests in flight.
- HAProxy's configuration and admin socket live in a temporary folder, removed at exit.

Stdout gets the replicas' JSON access lines and one JSON line per cluster event
(``{"cluster": "ready" | "rolled" | "stopped", ...}``); logs go to stderr.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

from skinscan.bench import launch
from skinscan.predictor import default_threads

log = logging.getLogger("skinscan.cluster")

BACKEND = "replicas"
READY = "/api/v1/ready"
GRACE_S = 30.0
"""How long a replica may take to finish its requests after SIGTERM (the server's own graceful
shutdown is 25 s: api/server.py GRACEFUL_SECONDS)."""
START_TIMEOUT_S = 120.0


class ClusterError(RuntimeError):
    pass


def haproxy_config(port: int, replicas: dict[str, int], admin_socket: Path) -> str:
    """HAProxy's configuration: a loopback frontend on ``port``, one backend with the replicas."""
    servers = "\n".join(f"    server {name} {launch.HOST}:{p}" for name, p in replicas.items())
    not_here = json.dumps({"detail": "Metrics are per replica: scrape each one.", "code": "not_found"})
    return f"""global
    stats socket {admin_socket} mode 600 level admin
    hard-stop-after {int(GRACE_S) + 5}s
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 65s
    timeout server 65s
    timeout http-request 15s
    timeout http-keep-alive 5s
    timeout queue 30s
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response 503
    option forwardfor

frontend skinscan
    bind {launch.HOST}:{port}
    http-request return status 404 content-type application/json string '{not_here}' if {{ path /metrics }}
    default_backend {BACKEND}

backend {BACKEND}
    balance leastconn
    option httpchk GET {READY}
    http-check expect status 200
    default-server check inter 1s fall 2 rise 1
{servers}
"""


class HAProxy:
    """The balancer process and its admin socket (runtime API)."""

    def __init__(self, folder: Path, port: int, replicas: dict[str, int]) -> None:
        self.socket_path = folder / "admin.sock"
        self.config = folder / "haproxy.cfg"
        self.config.write_text(haproxy_config(port, replicas, self.socket_path), encoding="utf-8")
        binary = launch.haproxy_path()
        if binary is None:
            raise ClusterError("haproxy is not installed: apt-get install -y haproxy (Debian's package)")
        check = subprocess.run([binary, "-c", "-q", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise ClusterError(f"haproxy rejected its configuration: {check.stderr.strip()}")
        self.process = subprocess.Popen([binary, "-db", "-f", str(self.config)], stdin=subprocess.DEVNULL)

    def command(self, line: str) -> str:
        """One runtime-API command; its answer."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket_path))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode("utf-8", "replace")

    def servers(self) -> dict[str, dict[str, str]]:
        """The backend's servers: name -> ``show stat`` fields (``status``: UP, DOWN, MAINT...; ``scur``)."""
        try:
            lines = self.command("show stat").splitlines()
        except OSError:
            return {}
        if not lines or not lines[0].startswith("# "):
            return {}
        header = lines[0][2:].split(",")
        rows = (dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line)
        return {row["svname"]: row for row in rows if row.get("pxname") == BACKEND and row.get("svname") != "BACKEND"}

    def wait(self, name: str, until: str, timeout_s: float, in_flight_zero: bool = False) -> bool:
        """Wait until server ``name``'s status starts with ``until`` (and, if asked, nothing is in flight)."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ClusterError(f"haproxy exited with {self.process.returncode}")
            row = self.servers().get(name, {})
            if row.get("status", "").startswith(until) and (not in_flight_zero or row.get("scur") == "0"):
                return True
            time.sleep(0.1)
        return False


def _event(kind: str, **fields: object) -> None:
    sys.stdout.write(json.dumps({"cluster": kind, **fields}) + "\n")
    sys.stdout.flush()


class Cluster:
    def __init__(self, model: str | Path, replicas: int, port: int, env: dict[str, str] | None = None) -> None:
        if replicas < 1:
            raise ClusterError("--replicas must be at least 1")
        self.model, self.port = model, port
        self.names = [f"r{i + 1}" for i in range(replicas)]
        self.env = {
            # Behind the balancer every connection comes from 127.0.0.1: believe its X-Forwarded-For.
            "SKINSCAN_TRUSTED_PROXIES": os.environ.get("SKINSCAN_TRUSTED_PROXIES", launch.HOST),
            "SKINSCAN_THREADS": os.environ.get("SKINSCAN_THREADS", str(max(1, default_threads() // replicas))),
            **(env or {}),
        }
        self.folder = Path(tempfile.mkdtemp(prefix="skinscan-cluster-"))
        self.replicas: dict[str, launch.Server] = {}
        self.haproxy: HAProxy | None = None

    def _start_replica(self, name: str) -> launch.Server:
        env = {**self.env, "SKINSCAN_REPLICA_ID": name}
        return launch.start(self.model, env=env, timeout_s=START_TIMEOUT_S, ready_path=READY, own_logs=True)

    def start(self) -> None:
        with ThreadPoolExecutor(max_workers=len(self.names)) as pool:
            started = dict(zip(self.names, pool.map(self._start_replica, self.names), strict=True))
        self.replicas.update(started)
        self.haproxy = HAProxy(self.folder, self.port, {name: server.port for name, server in started.items()})
        for name in self.names:
            if not self.haproxy.wait(name, "UP", START_TIMEOUT_S):
                raise ClusterError(f"haproxy never saw replica {name} up")
        _event("ready", origin=f"http://{launch.HOST}:{self.port}", replicas=self.names)

    def roll(self, should_stop: threading.Event) -> bool:
        """Restart the replicas one at a time; False if stopped half-way or a new replica failed."""
        assert self.haproxy is not None
        for name in self.names:
            if should_stop.is_set():
                return False
            log.info("rolling %s: draining", name)
            self.haproxy.command(f"set server {BACKEND}/{name} state maint")
            if not self.haproxy.wait(name, "MAINT", GRACE_S, in_flight_zero=True):
                log.warning("%s still had requests in flight after %.0f s; stopping it anyway", name, GRACE_S)
            old = self.replicas[name]
            code = old.stop(timeout_s=GRACE_S + 10)
            log.info("rolling %s: stopped (exit %s), starting a new one", name, code)
            try:
                new = self._start_replica(name)
            except RuntimeError as exc:
                log.error("rolling %s: the new replica did not start: %s", name, exc)
                return False
            self.replicas[name] = new
            self.haproxy.command(f"set server {BACKEND}/{name} addr {launch.HOST} port {new.port}")
            self.haproxy.command(f"set server {BACKEND}/{name} state ready")
            if not self.haproxy.wait(name, "UP", START_TIMEOUT_S):
                log.error("rolling %s: haproxy never saw the new replica up", name)
                return False
            log.info("rolling %s: back in service on port %d", name, new.port)
        return True

    def replace_dead(self) -> None:
        """A replica that died on its own is started again (not during a roll)."""
        assert self.haproxy is not None
        for name, server in list(self.replicas.items()):
            if server.process.poll() is None:
                continue
            log.warning("replica %s exited with %s: starting it again", name, server.process.returncode)
            new = self._start_replica(name)
            self.replicas[name] = new
            self.haproxy.command(f"set server {BACKEND}/{name} addr {launch.HOST} port {new.port}")

    def stop(self) -> None:
        """Balancer stops listening and drains; replicas finish their requests in flight; folder removed."""
        if self.haproxy is not None and self.haproxy.process.poll() is None:
            self.haproxy.process.send_signal(signal.SIGUSR1)  # soft stop: finish the connections it has
        for server in self.replicas.values():
            if server.process.poll() is None:
                server.process.terminate()
        for server in self.replicas.values():
            server.close()
        if self.haproxy is not None:
            try:
                self.haproxy.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.haproxy.process.kill()
                self.haproxy.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def run_cluster(model: str | Path, replicas: int, port: int) -> int:
    """Run until SIGTERM/SIGINT; SIGHUP rolls the replicas. Exit code 0, or 1 when it failed."""
    should_stop = threading.Event()
    rolls: list[int] = []
    wake = threading.Event()

    def on_signal(sig: int, _: FrameType | None) -> None:
        if sig == signal.SIGHUP:
            rolls.append(sig)
        else:
            should_stop.set()
        wake.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    cluster = Cluster(model, replicas, port)
    status = 0
    try:
        cluster.start()
        assert cluster.haproxy is not None
        while not should_stop.is_set():
            wake.wait(0.5)
            wake.clear()
            if cluster.haproxy.process.poll() is not None:
                raise ClusterError(f"haproxy exited with {cluster.haproxy.process.returncode}")
            if rolls:
                rolls.clear()
                if cluster.roll(should_stop):
                    _event("rolled", replicas=cluster.names)
                rolls.clear()  # a SIGHUP during a roll is served by that roll
                continue
            cluster.replace_dead()
    except (ClusterError, RuntimeError) as exc:
        log.error("%s", exc)
        status = 1
    finally:
        cluster.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _event("stopped", status=status)
    return status
