"""HTTP throughput with ``wrk`` (Debian package ``wrk``): a C load generator that costs the server's
cores far less than a Python client, so requests/s measure the server, not the client.

The photo goes in a multipart body that a small Lua script reads from a file; the script prints
wrk's summary as one JSON line. Loopback only, bounded by a duration.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from skinscan.bench.loadgen import multipart_body

MARK = "SKINSCAN_WRK "
SCRIPT = """
local file = assert(io.open(os.getenv("SKINSCAN_WRK_BODY"), "rb"))
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = os.getenv("SKINSCAN_WRK_CONTENT_TYPE")

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '%s{"requests": %d, "duration_us": %d, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, '
    .. '"write_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %.1f}\\n',
    os.getenv("SKINSCAN_WRK_MARK"), summary.requests, summary.duration, e.status, e.connect, e.read,
    e.write, e.timeout, latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run_wrk(url: str, photo: bytes, *, connections: int, seconds: int, threads: int = 1) -> dict[str, Any]:
    """POST ``photo`` as the ``image`` field to ``url`` over ``connections`` keep-alive connections."""
    wrk = wrk_path()
    if wrk is None:
        raise FileNotFoundError("wrk is not installed (apt-get install wrk)")
    content_type, body = multipart_body("image", "photo.jpg", photo)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "body").write_bytes(body)
        (Path(tmp) / "post.lua").write_text(SCRIPT, encoding="utf-8")
        env = {
            **os.environ,
            "SKINSCAN_WRK_BODY": str(Path(tmp) / "body"),
            "SKINSCAN_WRK_CONTENT_TYPE": content_type,
            "SKINSCAN_WRK_MARK": MARK,
        }
        command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        command += ["-s", str(Path(tmp) / "post.lua"), url]
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith(MARK))
    raw = json.loads(line.removeprefix(MARK))
    wall_s = raw["duration_us"] / 1e6
    return {
        "client": "wrk",
        "connections": connections,
        "requests": raw["requests"],
        "non_2xx": raw["non_2xx"],
        "connection_errors": sum(raw[k] for k in ("connect_errors", "read_errors", "write_errors", "timeouts")),
        "p50_ms": round(raw["p50_us"] / 1e3, 2),
        "p95_ms": round(raw["p95_us"] / 1e3, 2),
        "p99_ms": round(raw["p99_us"] / 1e3, 2),
        "mean_ms": round(raw["mean_us"] / 1e3, 2),
        "wall_s": round(wall_s, 2),
        "requests_per_s": round(raw["requests"] / wall_s, 1),
    }
