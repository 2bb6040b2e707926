"""Issue 12 acceptance figures against the real server on loopback -> bench/results/security.json.

    .venv/bin/python bench/security.py [--model models/skinscan.onnx] [--out bench/results/security.json]

Starts ``skinscan serve`` (one worker, loopback, a free port) twice: once without a rate limit for
the decoder, multipart, header and memory figures, once with 60/min and FORWARDED_ALLOW_IPS='*'
for the spoofed X-Forwarded-For figure. Every loop is bounded by a count and a deadline. The
machine is shared and noisy: read the figures against the load average recorded with them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import select
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "tests"), str(REPO / "src")]

from PIL import Image  # noqa: E402

from api.hostile_gen import (  # noqa: E402
    exif_artist_as_double,
    exif_ifd_pointer_overflow,
    fuzzed_exif,
    header_heavy_multipart,
    png16_64mp,
    progressive_scan_bomb,
    webp_64mp,
)
from skinscan.bench import launch  # noqa: E402

HOST = launch.HOST


def _encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, fmt, **params)
    return buffer.getvalue()


def _normal_photo() -> bytes:
    """A real 224 px dermoscopy photo from the data set when it is here (the model answers it), else
    a synthetic one (the model's gate may refuse it with 422: still a full answer)."""
    for root in (os.environ.get("SKINSCAN_DATA", ""), str(REPO.parent / "shared/data/skin-cancer-isic")):
        folder = Path(root) / "test" / "benign"
        if root and folder.is_dir():
            return sorted(folder.glob("*.jpg"))[0].read_bytes()
    return _photo(224)


def _photo(side: int) -> bytes:
    import numpy as np

    rng = np.random.default_rng(side)
    pixels = (rng.normal(150, 30, (side, side, 3)).clip(0, 255)).astype("uint8")
    return _encode(Image.fromarray(pixels), "JPEG", quality=90)


@contextmanager
def serve(model: Path, env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """The real server through the project's one launcher (skinscan.bench.launch)."""
    settings = {"SKINSCAN_WEB_DIR": "/nonexistent", "SKINSCAN_MAX_BATCH": "1", **env}
    with launch.running(model, env=settings, timeout_s=120) as server:
        yield server.port, server.process.pid


def get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def post_raw(port: int, body: bytes, content_type: str, timeout: float = 120) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("POST", "/api/v1/predict", body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        return response.status, response.read(), time.perf_counter() - started
    except OSError as exc:
        return 0, str(exc).encode(), time.perf_counter() - started
    finally:
        conn.close()


def post_photo(port: int, data: bytes, timeout: float = 120) -> tuple[int, bytes, float]:
    boundary = "benchsecurityboundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="p"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return post_raw(port, body, f"multipart/form-data; boundary={boundary}", timeout)


def _code(body: bytes) -> str:
    try:
        return str(json.loads(body).get("code", "ok"))
    except (ValueError, AttributeError):
        return "?"


def while_running(background: list[Callable[[], Any]], probe: Callable[[], Any], delay: float = 0.3) -> Any:
    """Run ``background`` jobs in threads, ``probe`` once they are in flight; return both results."""
    with ThreadPoolExecutor(len(background)) as pool:
        futures = [pool.submit(job) for job in background]
        time.sleep(delay)
        probed = probe()
        return [future.result(timeout=300) for future in futures], probed


def scan_bombs(port: int) -> dict[str, Any]:
    """Two bombs in flight, then a normal photo: the issue's 64 MP bomb (now refused by the
    progressive-JPEG pixel limit) and a 23 MP one that only the scan limit stops."""
    normal = _normal_photo()
    results: dict[str, Any] = {"target": "normal < 2 s, each bomb < 10 s"}
    for name, bomb in (
        ("8000x8000_10000_scans", progressive_scan_bomb(8000, 10_000)),
        ("4800x4800_10000_scans", progressive_scan_bomb(4800, 10_000)),
    ):

        def probe() -> dict[str, Any]:
            status, body, seconds = post_photo(port, normal)
            return {"status": status, "code": _code(body), "s": round(seconds, 3)}

        jobs = [lambda bomb=bomb: post_photo(port, bomb), lambda bomb=bomb: post_photo(port, bomb)]
        bombs, photo = while_running(jobs, probe, 0.05)
        results[name] = {
            "bomb_bytes": len(bomb),
            "bombs": [{"status": s, "code": _code(b), "s": round(t, 3)} for s, b, t in bombs],
            "normal_224px_during": photo,
        }
    return results


def slow_legal_bombs(port: int) -> dict[str, Any]:
    """The deadline backstop: the worst progressive JPEG the header checks let through."""
    slow = progressive_scan_bomb(4896, 63)
    normal = _normal_photo()

    def probe() -> dict[str, Any]:
        status, body, seconds = post_photo(port, normal)
        return {"status": status, "code": _code(body), "s": round(seconds, 3)}

    slows, photo = while_running([lambda: post_photo(port, slow), lambda: post_photo(port, slow)], probe, 0.2)
    return {
        "what": "24 MP progressive JPEG, 63 end-of-band scans (under every header limit)",
        "requests": [{"status": s, "code": _code(b), "s": round(t, 3)} for s, b, t in slows],
        "normal_224px_during": photo,
    }


def exif(port: int, fuzz: int) -> dict[str, Any]:
    statuses: dict[str, int] = {}
    for name, data in (("artist_double", exif_artist_as_double()), ("ifd_pointer", exif_ifd_pointer_overflow())):
        status, body, _ = post_photo(port, data)
        statuses[f"{name}:{status}:{_code(body)}"] = 1
    fuzzed: dict[int, int] = {}
    for seed in range(fuzz):
        status = post_photo(port, fuzzed_exif(seed))[0]
        fuzzed[status] = fuzzed.get(status, 0) + 1
    return {"variants": sorted(statuses), "fuzz_blocks": fuzz, "fuzz_statuses": fuzzed}


def _flood(port: int, body: bytes, content_type: str) -> tuple[int, bytes, float]:
    """Send a body until the server answers (it refuses early and closes); its status line."""
    started = time.perf_counter()
    head = (
        f"POST /api/v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection((HOST, port), timeout=120) as sock:
        sock.sendall(head)
        for offset in range(0, len(body), 65536):
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(body[offset : offset + 65536])
            except OSError:
                break
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1") else 0
    return status, answer.partition(b"\r\n\r\n")[2], time.perf_counter() - started


def multipart_floods(port: int) -> dict[str, Any]:
    body, headers = header_heavy_multipart(15 << 20)
    normal = _normal_photo()

    def probe() -> dict[str, Any]:
        health = []
        for _ in range(10):
            started = time.perf_counter()
            get(port, "/api/v1/health")
            health.append(time.perf_counter() - started)
        status, _, photo_s = post_photo(port, normal)
        return {"health_max_s": round(max(health), 3), "normal_224px_s": round(photo_s, 3), "normal_status": status}

    flood = [lambda: _flood(port, body, headers["Content-Type"]) for _ in range(4)]
    floods, during = while_running(flood, probe, 0.01)
    return {
        "uploads": 4,
        "bytes_each": len(body),
        "answers": [{"status": s, "code": _code(b), "s": round(t, 3)} for s, b, t in floods],
        "during": during,
        "target": "health < 0.5 s, normal photo < 2 s",
    }


def decode_overhead(n: int = 300) -> dict[str, Any]:
    """In-process: the new 224 px decode path (header check + decode) against the bare decoder,
    in the same process, so the ratio holds even on a busy machine."""
    from skinscan.api.decoding import decode_if_small
    from skinscan.images import load_rgb, square_crop_resize

    photo = _normal_photo()

    def timed(job: Callable[[], Any]) -> float:
        times = []
        for _ in range(n):
            started = time.perf_counter()
            job()
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1e3

    bare = timed(lambda: square_crop_resize(load_rgb(photo, target_side=224).image, 224))
    guarded = timed(lambda: decode_if_small(photo, 224, 64_000_000))
    return {"bare_decoder_p50_ms": round(bare, 3), "guarded_path_p50_ms": round(guarded, 3)}


def big_header(port: int) -> dict[str, Any]:
    with socket.create_connection((HOST, port), timeout=30) as sock:
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
        head = sock.recv(200).split(b"\r\n", 1)[0].decode()
    return {"header_bytes": 1 << 20, "status_line": head}


def memory(port: int, pid: int) -> dict[str, Any]:
    cases = {
        "webp_64mp": (webp_64mp(), "2.5 KB-class lossless WebP, 8000x8000"),
        "png16_64mp": (png16_64mp(), "16-bit PNG, 8000x8000"),
        "webp_16mp": (_encode(Image.new("RGB", (4000, 4000), (90, 60, 40)), "WEBP", lossless=True), "at the limit"),
        "jpeg_48mp": (_encode(Image.new("RGB", (8000, 6000), (90, 60, 40)), "JPEG", quality=80), "baseline"),
    }
    results = {}
    for name, (data, what) in cases.items():
        base = launch.rss_mb(pid)
        peak = base
        done = threading.Event()

        def sample(done: threading.Event = done) -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, launch.rss_mb(pid))
                time.sleep(0.005)

        sampler = threading.Thread(target=sample)
        sampler.start()
        status, body, seconds = post_photo(port, data)
        done.set()
        sampler.join()
        results[name] = {
            "what": what,
            "bytes": len(data),
            "status": status,
            "code": _code(body),
            "s": round(seconds, 3),
            "rss_before_mb": round(base, 1),
            "peak_increase_mb": round(peak - base, 1),
        }
    return results


def latency_224(port: int, n: int = 200) -> dict[str, Any]:
    photo = _normal_photo()
    times = sorted(post_photo(port, photo)[2] * 1e3 for _ in range(n))
    return {"requests": n, "p50_ms": round(statistics.median(times), 2), "p95_ms": round(times[int(0.95 * n)], 2)}


def spoofed_rate_limit(model: Path) -> dict[str, Any]:
    with serve(model, {"SKINSCAN_RATE_LIMIT": "60", "FORWARDED_ALLOW_IPS": "*"}) as (port, _):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        statuses: dict[int, int] = {}
        for i in range(150):
            conn.request("GET", "/api/v1/model", headers={"X-Forwarded-For": f"198.18.{i // 200}.{i % 200}"})
            response = conn.getresponse()
            response.read()
            statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()
    return {"requests": 150, "per_minute": 60, "statuses": statuses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(REPO / "models" / "skinscan.onnx"))
    parser.add_argument("--out", default=str(REPO / "bench" / "results" / "security.json"))
    parser.add_argument("--fuzz", type=int, default=1000)
    args = parser.parse_args()
    model = Path(args.model)
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_avg": os.getloadavg()},
        "model": str(model),
    }
    results["decode_path_224px"] = decode_overhead()
    with serve(model, {"SKINSCAN_RATE_LIMIT": "0"}) as (port, pid):
        post_photo(port, _photo(2000))  # starts the decode pool (forkserver + one worker)
        results["latency_224px_sequential"] = latency_224(port)
        results["scan_bombs"] = scan_bombs(port)
        results["slow_legal_progressive"] = slow_legal_bombs(port)
        results["multipart_floods"] = multipart_floods(port)
        results["exif"] = exif(port, args.fuzz)
        results["header_1mib"] = big_header(port)
        results["memory"] = memory(port, pid)
    results["spoofed_xff_rate_limit"] = spoofed_rate_limit(model)
    results["machine"]["load_avg_end"] = os.getloadavg()
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    sys.stdout.write(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
