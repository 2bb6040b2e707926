"""``skinscan bench --which cluster``: replicas behind HAProxy (``skinscan cluster``), and one pod's memory.

- ``replicas_1``, ``replicas_2``: requests/s and p50/p99 at concurrency 16 through HAProxy;
- ``rolling_restart``: the same load on 2 replicas while SIGHUP rolls them (errors, non-200,
  p99, how long the roll took);
- ``one_process``: RSS of one ``skinscan serve`` (2 threads, as a pod of deploy/k8s runs it)
  idle and under load (224 px photos, then 12-megapixel ones, at concurrency 16): what
  deploy/k8s sizes its memory request from (tests/test_k8s.py checks the manifest against it).

The load generator, HAProxy and the replicas share the machine's cores, so on a small machine
two replicas cannot show more throughput than one: see ``cores`` in the result.
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
from skinscan.bench.benchmarks import HOST, PREDICT, RssSampler, environment, small_photo
from skinscan.bench.loadgen import RunResult, multipart_request, run_load
from skinscan.bench.synthetic import lesion_jpeg

log = logging.getLogger("skinscan.bench")

CONCURRENCY = 16
LOAD_S = 20.0
ROLL_TIMEOUT_S = 240.0


def _summary(result: RunResult) -> dict[str, Any]:
    summary = result.summary()
    summary.pop("server_timing_median_ms", None)
    return {**summary, "statuses": {str(k): v for k, v in result.statuses.items()}, "served_by": result.served_by}


def _through(run: launch.ClusterRun, raw: bytes, seconds: float) -> RunResult:
    return asyncio.run(run_load(HOST, run.port, raw, requests=10**7, concurrency=CONCURRENCY, deadline_s=seconds))


def one_process(model: Path) -> dict[str, Any]:
    _, small = small_photo()
    big = lesion_jpeg(4000, 3000, seed=2)
    report: dict[str, Any] = {"threads": 2, "decode_workers": 2}
    with launch.running(model, env={"SKINSCAN_THREADS": "2"}) as server:
        report["idle_mb"] = launch.rss_mb(server.process.pid)
        with RssSampler(server.process.pid, every_s=0.5) as samples:
            for name, data, requests in (("jpeg_224", small, 3000), ("jpeg_4000x3000", big, 160)):
                raw = multipart_request(HOST, server.port, PREDICT, "image", f"{name}.jpg", data)
                result = asyncio.run(
                    run_load(HOST, server.port, raw, requests=requests, concurrency=CONCURRENCY, deadline_s=120)
                )
                report[name] = {"requests": len(result.latencies_ms), "statuses": result.statuses}
        report["peak_mb"] = max(samples, default=report["idle_mb"])
        report["after_mb"] = launch.rss_mb(server.process.pid)
    return report


def bench_cluster(model: Path) -> dict[str, Any]:
    source, photo = small_photo()
    report: dict[str, Any] = {**environment(model), "photo": source, "concurrency": CONCURRENCY, "load_s": LOAD_S}
    with tempfile.TemporaryDirectory(prefix="skinscan-bench-") as folder:
        for replicas in (1, 2):
            log.info("cluster: %d replica(s), %.0f s at concurrency %d", replicas, LOAD_S, CONCURRENCY)
            run = launch.start_cluster(model, replicas, Path(folder) / f"r{replicas}.out")
            try:
                raw = multipart_request(HOST, run.port, PREDICT, "image", "c.jpg", photo)
                _through(run, raw, 3)  # warm-up
                report[f"replicas_{replicas}"] = _summary(_through(run, raw, LOAD_S))
                if replicas == 2:
                    report["rolling_restart"] = _rolling(run, raw)
            finally:
                report.setdefault("exit_codes", {})[f"replicas_{replicas}"] = run.stop()
    log.info("cluster: one process's memory under load")
    report["one_process_rss_mb"] = one_process(model)
    return report


def _rolling(run: launch.ClusterRun, raw: bytes) -> dict[str, Any]:
    """Load on from the SIGHUP until the roll of both replicas is done."""
    started = time.monotonic()
    run.process.send_signal(signal.SIGHUP)
    result = RunResult()
    while not run.has("rolled") and time.monotonic() - started < ROLL_TIMEOUT_S:
        result.add(_through(run, raw, 5))
    rolled_s = round(time.monotonic() - started, 1)
    return {**_summary(result), "rolled": run.has("rolled"), "roll_and_load_s": rolled_s}
