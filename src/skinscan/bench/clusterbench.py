"""``skinscan bench --which cluster``: replicas behind HAProxy (``skinscan cluster``), and one pod's memory.

Requests/s and p50/p99 at concurrency 16 through HAProxy to 1 and 2 replicas; the same on 2
replicas while SIGHUP rolls them (errors, non-200, how long the roll took); and the RSS of one
``skinscan serve`` with 2 threads (a pod of deploy/k8s) idle and under load, 224 px then
12-megapixel photos, which deploy/k8s sizes its memory from (tests/test_k8s.py checks it).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

from skinscan.bench import launch
from skinscan.bench.common import HOST, PREDICT, RssSampler, environment, small_photo
from skinscan.bench.loadgen import RunResult, multipart_request, run_load
from skinscan.bench.synthetic import lesion_jpeg

log = logging.getLogger("skinscan.bench")

CLUSTER_CONCURRENCY = 16
CLUSTER_LOAD_S = 20.0
ROLL_TIMEOUT_S = 240.0


def _cluster_summary(result: RunResult) -> dict[str, Any]:
    summary = result.summary()
    summary.pop("server_timing_median_ms", None)
    return {**summary, "statuses": {str(k): v for k, v in result.statuses.items()}, "served_by": result.served_by}


def _through(run: launch.ClusterRun, raw: bytes, seconds: float) -> RunResult:
    load = run_load(HOST, run.port, raw, requests=10**7, concurrency=CLUSTER_CONCURRENCY, deadline_s=seconds)
    return asyncio.run(load)


def _one_process(model: Path) -> dict[str, Any]:
    _, small = small_photo()
    big = lesion_jpeg(4000, 3000, seed=2)
    report: dict[str, Any] = {"threads": 2, "decode_workers": 2}
    with launch.running(model, env={"SKINSCAN_THREADS": "2"}) as server:
        report["idle_mb"] = launch.rss_mb(server.process.pid)
        with RssSampler(server.process.pid, every_s=0.5) as samples:
            for name, data, requests in (("jpeg_224", small, 3000), ("jpeg_4000x3000", big, 160)):
                raw = multipart_request(HOST, server.port, PREDICT, "image", f"{name}.jpg", data)
                result = asyncio.run(
                    run_load(HOST, server.port, raw, requests=requests, concurrency=CLUSTER_CONCURRENCY, deadline_s=120)
                )
                report[name] = {"requests": len(result.latencies_ms), "statuses": result.statuses}
        report["peak_mb"] = max(samples, default=report["idle_mb"])
        report["after_mb"] = launch.rss_mb(server.process.pid)
    return report


def bench_cluster(model: Path) -> dict[str, Any]:
    source, photo = small_photo()
    report: dict[str, Any] = {**environment(model), "photo": source}
    report |= {"concurrency": CLUSTER_CONCURRENCY, "load_s": CLUSTER_LOAD_S}
    with tempfile.TemporaryDirectory(prefix="skinscan-bench-") as folder:
        for replicas in (1, 2):
            log.info("cluster: %d replica(s), %.0f s at concurrency %d", replicas, CLUSTER_LOAD_S, CLUSTER_CONCURRENCY)
            run = launch.start_cluster(model, replicas, Path(folder) / f"r{replicas}.out")
            try:
                raw = multipart_request(HOST, run.port, PREDICT, "image", "c.jpg", photo)
                _through(run, raw, 3)  # warm-up
                report[f"replicas_{replicas}"] = _cluster_summary(_through(run, raw, CLUSTER_LOAD_S))
                if replicas == 2:
                    report["rolling_restart"] = _rolling(run, raw)
            finally:
                report.setdefault("exit_codes", {})[f"replicas_{replicas}"] = run.stop()
    log.info("cluster: one process's memory under load")
    report["one_process_rss_mb"] = _one_process(model)
    return report


def _rolling(run: launch.ClusterRun, raw: bytes) -> dict[str, Any]:
    """Load on from the SIGHUP until the roll of both replicas is done."""
    started = time.monotonic()
    run.process.send_signal(signal.SIGHUP)
    result = RunResult()
    while not run.has("rolled") and time.monotonic() - started < ROLL_TIMEOUT_S:
        result.add(_through(run, raw, 5))
    rolled_s = round(time.monotonic() - started, 1)
    return {**_cluster_summary(result), "rolled": run.has("rolled"), "roll_and_load_s": rolled_s}
