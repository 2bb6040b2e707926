"""``skinscan bench``: model, API and load benchmarks on loopback; results in ``bench/results/``.

- ``model``: ONNX Runtime alone, batch 1 and 16 (``model.json``).
- ``api``: the real server (``skinscan serve`` in a subprocess on a free loopback port): p50/p95/p99
  for a 224 px JPEG and a 4000x3000 JPEG, sequential and at concurrency 16, requests/s, server
  RSS, and the model-only time measured in the same run, so HTTP + decoding overhead shows as a
  ratio (``api.json``).
- ``load``: 20 000 requests at concurrency 32, errors and server memory growth (``load.json``).
- ``cluster``: requests/s and p50/p99 at concurrency 16 through HAProxy (``skinscan cluster``) to 1
  and 2 replicas, the same on 2 replicas while SIGHUP rolls them (errors, non-200, how long the
  roll took), and the RSS of one ``skinscan serve`` with 2 threads (a pod of deploy/k8s) idle and
  under load, 224 px then 12-megapixel photos, which deploy/k8s sizes its memory from
  (``cluster.json``; needs haproxy). The load generator, HAProxy and the replicas share the cores,
  so on a small machine two replicas cannot show more throughput than one.
- ``web``: ``node web/scripts/bench.mjs`` (the page's own benchmark) when it exists.

Every loop is bounded by a request count and a deadline.
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np

from skinscan.bench import launch
from skinscan.bench.clusterbench import bench_cluster
from skinscan.bench.common import HOST, PREDICT, RssSampler, environment, small_photo
from skinscan.bench.loadgen import multipart_request, run_load
from skinscan.bench.synthetic import lesion_jpeg
from skinscan.bench.throughput import model_throughput
from skinscan.bench.wrk import run_wrk, wrk_path
from skinscan.predictor import Predictor, default_threads

log = logging.getLogger("skinscan.bench")

TARGETS = {
    "jpeg_224_p50_ms": 15.0,
    "overhead_ratio": 2.0,
    "jpeg_12mp_p50_ms": 80.0,
    "c16_http_over_model_throughput": 0.80,
}
WHICH = ("model", "api", "load", "cluster", "web")


def _latency(samples_ms: list[float]) -> dict[str, float]:
    values = np.asarray(samples_ms)
    return {f"p{q}_ms": round(float(np.percentile(values, q)), 3) for q in (50, 95, 99)}


def model_only(model: Path, threads: int, batch: int, repeats: int) -> dict[str, Any]:
    """ONNX Runtime alone on random pixels: the floor under any API latency."""
    predictor = Predictor(model, threads=threads)
    size = predictor.size  # from the card
    pixels = np.random.default_rng(0).integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    for _ in range(3):
        predictor.run_arrays(pixels)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        predictor.run_arrays(pixels)  # every output serving reads, as the server runs it
        samples.append((time.perf_counter() - started) * 1e3)
    result: dict[str, Any] = {"batch": batch, "threads": threads, "repeats": repeats, **_latency(samples)}
    result["per_image_p50_ms"] = round(result["p50_ms"] / batch, 3)
    return result


def bench_model(model: Path) -> dict[str, Any]:
    threads = default_threads()
    report = {
        **environment(model),
        "batch_1": model_only(model, threads, 1, 100),
        "batch_16": model_only(model, threads, 16, 10),
    }
    try:  # the tutorial-baseline comparison builds VGG19 with torch (the `train` extra)
        from skinscan.bench.speed import compare
    except ImportError:
        log.warning("torch not installed: skipping the comparison with the tutorial's VGG19")
    else:
        report["vs_tutorial_vgg19"] = compare(model, threads=threads)
    return report


def _load(port: int, raw: bytes, requests: int, concurrency: int, deadline_s: float) -> dict[str, Any]:
    result = asyncio.run(run_load(HOST, port, raw, requests=requests, concurrency=concurrency, deadline_s=deadline_s))
    return result.summary()


def _concurrent(server: launch.Server, name: str, data: bytes, requests: int) -> dict[str, Any]:
    """Concurrency 16 over keep-alive connections: wrk when installed (cheap on the CPU), else ours."""
    if wrk_path() is not None:
        seconds = max(5, min(30, requests // 100))
        cpu_before = launch.cpu_seconds(server.process.pid)
        result = run_wrk(server.origin + PREDICT, data, connections=16, seconds=seconds)
        cpu_ms = (launch.cpu_seconds(server.process.pid) - cpu_before) * 1e3
        return {**result, "server_cpu_ms_per_request": round(cpu_ms / max(1, result["requests"]), 3)}
    log.warning("wrk not installed (apt-get install wrk): the Python client shares the server's cores")
    raw = multipart_request(HOST, server.port, PREDICT, "image", f"{name}.jpg", data)
    return {"client": "skinscan.bench.loadgen", **_load(server.port, raw, requests, 16, 300)}


def bench_api(model: Path) -> dict[str, Any]:
    source, small = small_photo()
    photos = {"jpeg_224": small, "jpeg_4000x3000": lesion_jpeg(4000, 3000, seed=2)}
    counts = {"jpeg_224": (300, 1600), "jpeg_4000x3000": (40, 240)}
    report: dict[str, Any] = {**environment(model), "server": {"workers": 1, "threads": default_threads()}}
    report["photos"] = {"jpeg_224": source, "jpeg_4000x3000": "synthetic: lesion_jpeg(4000, 3000, seed=2)"}
    cases: dict[str, Any] = {}
    with launch.running(model) as server:
        report["server_rss_mb"] = {"idle": launch.rss_mb(server.process.pid)}
        # Model alone, in the same run, while the server idles: before and after the HTTP runs,
        # so that a burst of other work on the machine shows up as a disagreement between them.
        model_before = _model_only(model)
        for name, data in photos.items():
            raw = multipart_request(HOST, server.port, PREDICT, "image", f"{name}.jpg", data)
            _load(server.port, raw, 20, 4, 60)  # warm-up: thread pools, allocator, caches
            sequential, concurrent = counts[name]
            log.info("api: %s (%d bytes): %d sequential, then concurrency 16", name, len(data), sequential)
            cases[name] = {
                "bytes": len(data),
                "sequential": _load(server.port, raw, sequential, 1, 300),
                "concurrency_16": _concurrent(server, name, data, concurrent),
            }
        report["server_rss_mb"]["after"] = launch.rss_mb(server.process.pid)
    cases["jpeg_224"]["concurrency_16_workers_per_core"] = _per_core_workers(model, small)
    model_after = _model_only(model)
    quieter = min((model_before, model_after), key=lambda m: float(m["batch_1"]["p50_ms"]))
    faster = max((model_before, model_after), key=lambda m: float(m["throughput"]["best_photos_per_s"]))
    report["model_only"] = {**quieter, "throughput": faster["throughput"]}
    report["model_only"] |= {"before_http_runs": model_before, "after_http_runs": model_after}
    report["cases"] = cases
    report["ratios"] = _ratios(report)
    report["targets"] = _targets(report)
    return report


def _per_core_workers(model: Path, photo: bytes) -> dict[str, Any]:
    """Concurrency 16 against ``serve --workers <cores>`` (one process and one model thread per
    core, as WEB_CONCURRENCY=cores deploys it): one event loop and one GIL per core, where a single
    process left a fifth of the CPU idle in GIL hand-overs between its loop and its model lanes."""
    cores = default_threads()
    with launch.running(model, workers=cores) as server:
        raw = multipart_request(HOST, server.port, PREDICT, "image", "warm-up.jpg", photo)
        _load(server.port, raw, 40, 4, 60)
        log.info("api: jpeg_224 at concurrency 16 against %d worker processes", cores)
        return {"workers": cores, **_concurrent(server, "jpeg_224", photo, 1600)}


def _model_only(model: Path) -> dict[str, Any]:
    """Model alone: latency at batch 1 and 16 with the server's thread count, and its throughput."""
    return {
        "batch_1": model_only(model, default_threads(), 1, 100),
        "batch_16": model_only(model, default_threads(), 16, 10),
        "throughput": model_throughput(model),
    }


def _ratios(report: dict[str, Any]) -> dict[str, float]:
    """API over model: latency against the model run alone (quieter of the two measurements) and
    against the model time the server itself reported; throughput at concurrency 16 against the
    model file's best photos/s (the faster of the two measurements, so the ratio is not flattered)."""
    model_p50 = report["model_only"]["batch_1"]["p50_ms"]
    small = report["cases"]["jpeg_224"]["sequential"]
    large = report["cases"]["jpeg_4000x3000"]["sequential"]
    in_server = small.get("server_timing_median_ms", {}).get("model", float("nan"))  # none when refused
    small_cases = report["cases"]["jpeg_224"]
    http_rps = small_cases["concurrency_16"]["requests_per_s"]
    per_core_rps = small_cases["concurrency_16_workers_per_core"]["requests_per_s"]
    model_rps = report["model_only"]["throughput"]["best_photos_per_s"]
    return {
        "jpeg_224_sequential_p50_over_model_p50": round(small["p50_ms"] / model_p50, 2),
        "jpeg_224_sequential_p50_over_in_server_model_median": round(small["p50_ms"] / in_server, 2),
        "jpeg_4000x3000_sequential_p50_over_model_p50": round(large["p50_ms"] / model_p50, 2),
        "jpeg_224_http_and_decode_overhead_ms": round(small["p50_ms"] - model_p50, 2),
        "jpeg_224_c16_requests_per_s_over_model_photos_per_s": round(http_rps / model_rps, 3),
        "jpeg_224_c16_workers_per_core_requests_per_s_over_model_photos_per_s": round(per_core_rps / model_rps, 3),
        # The same question in CPU time, which other programs on the machine cannot skew:
        # model CPU per photo (cheapest way) over the server's CPU per request at concurrency 16.
        "jpeg_224_model_cpu_per_photo_over_server_cpu_per_request": round(
            report["model_only"]["throughput"]["least_cpu_ms_per_photo"]
            / small_cases["concurrency_16"].get("server_cpu_ms_per_request", float("nan")),
            3,
        ),
    }


def _targets(report: dict[str, Any]) -> dict[str, Any]:
    small = report["cases"]["jpeg_224"]
    large = report["cases"]["jpeg_4000x3000"]
    measured = {
        "jpeg_224_p50_ms": small["sequential"]["p50_ms"],
        "overhead_ratio": report["ratios"]["jpeg_224_sequential_p50_over_model_p50"],
        "jpeg_12mp_p50_ms": large["sequential"]["p50_ms"],
        # The better of the two server configurations (one process; one process per core).
        "c16_http_over_model_throughput": max(
            report["ratios"]["jpeg_224_c16_requests_per_s_over_model_photos_per_s"],
            report["ratios"]["jpeg_224_c16_workers_per_core_requests_per_s_over_model_photos_per_s"],
        ),
    }
    return {
        name: {
            "target": target,
            "measured": measured[name],
            "met": measured[name] >= target if name.startswith("c16_") else measured[name] <= target,
        }
        for name, target in TARGETS.items()
    }


def bench_load(model: Path, requests: int = 20_000, concurrency: int = 32) -> dict[str, Any]:
    source, data = small_photo()
    report: dict[str, Any] = {**environment(model), "requests": requests, "concurrency": concurrency}
    report["photo"] = source
    with launch.running(model) as server:
        raw = multipart_request(HOST, server.port, PREDICT, "image", "load.jpg", data)
        _load(server.port, raw, 500, concurrency, 120)  # warm-up before the baseline
        before = launch.rss_mb(server.process.pid)
        log.info("load: %d requests at concurrency %d (RSS %.1f MB)", requests, concurrency, before)
        with RssSampler(server.process.pid, every_s=2.0) as samples:
            result = asyncio.run(
                run_load(
                    HOST,
                    server.port,
                    raw,
                    requests=requests,
                    concurrency=concurrency,
                    deadline_s=1800,
                    keep_timing_every=50,
                )
            )
        after = launch.rss_mb(server.process.pid)
        alive = server.process.poll() is None
    summary = result.summary()
    errors = summary["non_200"] + summary["connection_errors"]  # type: ignore[operator]
    report.update(
        {
            "result": summary,
            "errors": errors,
            "server_alive_after": alive,
            "server_rss_mb": {
                "after_warmup": before,
                "after_load": after,
                "growth": round(after - before, 1),
                "peak": max(samples, default=after),
                # one sample every 2 s: a plateau is allocator warm-up, a steady climb a leak
                "samples": samples[:: max(1, len(samples) // 20)],
            },
            "pass": {
                "zero_errors": errors == 0 and summary["requests"] == requests,
                "rss_growth_le_50mb": after - before <= 50,
            },
        }
    )
    return report


def bench_web(model: Path) -> int:
    """The page's own benchmark (web/scripts/bench.mjs writes bench/results/web.json)."""
    script = Path("web/scripts/bench.mjs")
    if not script.is_file():
        log.warning("%s not found: skipping the page benchmark", script)
        return 0
    node = shutil.which("node")
    if node is None:
        log.warning("node not installed: skipping the page benchmark")
        return 0
    command = [node, str(script)] + (["--model", str(model)] if model.is_file() else [])
    return subprocess.run(command, timeout=1800, check=False).returncode


def run_benchmarks(model: Path, which: str, out: Path) -> int:
    """Run the chosen benchmarks and write their JSON into ``out``; return an exit code."""
    chosen = WHICH if which == "all" else tuple(part.strip() for part in which.split(","))
    unknown = [name for name in chosen if name not in WHICH]
    if unknown:
        log.error("unknown benchmark %s: choose from all, %s", unknown, ", ".join(WHICH))
        return 2
    if any(name != "web" for name in chosen) and not model.is_file():
        log.error("model file not found: %s (pass --model)", model)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    status = 0
    runners = {"model": bench_model, "api": bench_api, "load": bench_load, "cluster": bench_cluster}
    for name in chosen:
        if name == "web":
            status = max(status, bench_web(model))
            continue
        if name == "cluster" and launch.haproxy_path() is None:
            log.warning("haproxy not installed (apt-get install -y haproxy): skipping the cluster benchmark")
            continue
        log.info("benchmark %s with %s", name, model)
        report = runners[name](model)
        path = out / f"{name}.json"
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        log.info("wrote %s", path)
    return status
