"""``skinscan cluster``: replicas behind HAProxy, a rolling restart under load with nothing lost."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

from skinscan.bench import launch
from skinscan.bench.loadgen import RunResult, get_request, multipart_request, run_load
from skinscan.bench.synthetic import lesion_jpeg
from skinscan.cluster import haproxy_config

HOST = launch.HOST
HAPROXY = launch.haproxy_path()
LOAD_S = 40.0
HUP_AFTER_S = 10.0
CONCURRENCY = 16

needs_haproxy = pytest.mark.skipif(
    HAPROXY is None and not os.environ.get("CI"),
    reason="haproxy not installed (apt-get install -y haproxy; .ci/run installs it)",
)


def _descendants(pid: int) -> set[int]:
    found, frontier = set(), [pid]
    while frontier:
        current = frontier.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                children = {int(c) for c in (task / "children").read_text().split()}
            except OSError:
                continue
            frontier += list(children - found)
            found |= children
    return found


@needs_haproxy
def test_generated_haproxy_config_is_valid(tmp_path: Path) -> None:
    assert HAPROXY is not None, "haproxy is missing: .ci/run installs it"
    config = tmp_path / "haproxy.cfg"
    config.write_text(haproxy_config(launch.free_port(), {"r1": 1, "r2": 2}, tmp_path / "admin.sock"))
    done = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@needs_haproxy
def test_rolling_restart_under_load_loses_nothing(tiny_model: Path, tmp_path: Path) -> None:
    """2 replicas, 40 s of load at concurrency 16, SIGHUP after 10 s: every answer is 200, both replica
    ids answer, the roll completes, and SIGTERM then stops everything and leaves nothing behind."""
    before = set(Path(tempfile.gettempdir()).glob("skinscan-cluster-*"))
    env = {"SKINSCAN_MAX_BATCH": "4", "SKINSCAN_WEB_DIR": str(tmp_path)}
    cluster = launch.start_cluster(tiny_model, 2, tmp_path / "cluster.out", env=env)
    port, process = cluster.port, cluster.process
    try:
        raw = multipart_request(HOST, port, "/api/v1/predict", "image", "a.jpg", lesion_jpeg(320, 240, seed=3))

        async def load() -> RunResult:
            asyncio.get_running_loop().call_later(HUP_AFTER_S, process.send_signal, signal.SIGHUP)
            return await run_load(HOST, port, raw, requests=10**6, concurrency=CONCURRENCY, deadline_s=LOAD_S)

        result = asyncio.run(load())
        # On a slow machine the roll may outlast the 40 s: keep the load on until it is done.
        rounds = 0
        while not cluster.has("rolled") and rounds < 40:
            result.add(
                asyncio.run(run_load(HOST, port, raw, requests=1_000_000, concurrency=CONCURRENCY, deadline_s=5))
            )
            rounds += 1
        assert cluster.has("rolled"), (tmp_path / "cluster.err").read_text()[-3000:]
        assert result.errors == [], result.errors[:5]
        assert set(result.statuses) == {200}, result.statuses
        assert result.ok >= 100, result.statuses  # real load, not a handful
        assert set(result.served_by) == {"r1", "r2"}, result.served_by
        # The balancer keeps /metrics to itself (scrape the replicas), as JSON.
        asyncio.run(_expect_404_metrics(port))
        children = _descendants(process.pid)
        assert len(children) >= 3  # haproxy + 2 replicas
        assert cluster.stop() == 0
        assert cluster.events()[-1] == {"cluster": "stopped", "status": 0}
        alive = [pid for pid in children if Path(f"/proc/{pid}").exists() and _is_running(pid)]
        assert alive == [], f"left running: {alive}"
        assert set(Path(tempfile.gettempdir()).glob("skinscan-cluster-*")) == before, "temp folder left behind"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _is_running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


async def _expect_404_metrics(port: int) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(get_request(HOST, port, "/metrics").replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n"))
    await writer.drain()
    answer = await reader.read()
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 404") and json.loads(body)["code"] == "not_found"
