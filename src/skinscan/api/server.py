"""``skinscan serve``: uvicorn around :func:`create_app`, sized to the machine.

- ``--workers N`` starts N processes and divides the cores among them (ONNX Runtime threads per
  worker = cores // N), so workers x threads never exceeds the cores and nothing oversubscribes.
- SIGTERM (Heroku, Docker, Kubernetes) stops accepting connections and lets in-flight requests
  finish (up to ``GRACEFUL_SECONDS``) before the process exits.
- A missing or broken model stops start-up with a message that names the path (exit code 2).
- HTTP limits (``api/protocol.py``): request headers over ``SKINSCAN_MAX_HEADER_KB`` -> 431,
  headers not complete within ``SKINSCAN_HEADER_TIMEOUT_S`` -> 408, idle keep-alive closed after
  ``SKINSCAN_KEEP_ALIVE_S``, more than ``SKINSCAN_MAX_CONNECTIONS`` -> 503; all JSON.
- Logs: one JSON line per request on stdout (see middleware.AccessLogMiddleware), everything else
  on stderr, as JSON lines too with ``SKINSCAN_LOG_FORMAT=json``; uvicorn's own access log, which
  would print query strings, is off.
- Readiness (``/api/v1/ready``) turns 503 at the SIGTERM (api/lifecycle.py). With ``--workers N``
  the metrics of all workers are summed through a temporary ``PROMETHEUS_MULTIPROC_DIR``, removed
  at exit.
"""

from __future__ import annotations

import ctypes
import functools
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from pydantic import ValidationError
from uvicorn.supervisors import Multiprocess

from skinscan.api.app import create_app
from skinscan.api.batcher import calibrate_batch_size
from skinscan.api.edge_limits import HttpLimits
from skinscan.api.memory import tune_malloc
from skinscan.api.metrics import MULTIPROC_ENV
from skinscan.api.protocol import GuardedHttpToolsProtocol
from skinscan.api.settings import Settings
from skinscan.predictor import ModelLoadError, Predictor, default_threads

log = logging.getLogger("skinscan.serve")

GRACEFUL_SECONDS = 25
"""Heroku sends SIGKILL 30 s after SIGTERM; finish in-flight requests before that."""


class AlreadyLoggedByTheApp(logging.Filter):
    """Drops uvicorn's "Exception in ASGI application" copy of a traceback that the app's own 500
    handler (errors.py) has already logged once; cancellations and the like still get through."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "uvicorn.error" and str(record.msg).startswith("Exception in ASGI application"):
            return not (record.exc_info and isinstance(record.exc_info[1], Exception))
        return True


class JsonLogFormatter(logging.Formatter):
    """One JSON object per log line (``SKINSCAN_LOG_FORMAT=json``), for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": round(record.created, 3),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, separators=(",", ":"))


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"already_logged": {"()": AlreadyLoggedByTheApp}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "message": {"format": "%(message)s"},
        "json": {"()": JsonLogFormatter},
    },
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stderr",
            "filters": ["already_logged"],
        },
        "access": {"class": "logging.StreamHandler", "formatter": "message", "stream": "ext://sys.stdout"},
    },
    "loggers": {
        "skinscan.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["stderr"], "level": "INFO"},
}


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas (like ``MALLOC_ARENA_MAX=2``) unless the operator set it.

    Decoding runs on worker threads and glibc gives each thread its own arena, so RSS crept up by
    ~30 MB under load and stayed there; with 2 arenas it stayed flat (bench/results/load.json).
    Done here rather than in each deployment file so that every way of starting the server gets
    it. A no-op off glibc.
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


WORKER_HEALTHCHECK_S = 60
"""Seconds a worker process may take to start before uvicorn gives up on it. A worker loads the model
and its runtime first; on a busy small machine that took longer than uvicorn's 5 s default."""


class ClosingSupervisor(Multiprocess):
    """uvicorn's worker supervisor, but on SIGTERM it closes its own copy of the listening socket
    before it stops the workers: once they have closed theirs, a new connection is refused at once
    instead of waiting in the backlog until the last worker has finished its requests."""

    def terminate_all(self) -> None:
        for sock in self.sockets:
            sock.close()
        super().terminate_all()


def plan_workers(workers: int, threads: int, cores: int) -> tuple[int, int]:
    """(workers, threads per worker) with workers x threads <= cores."""
    workers = max(1, min(workers, cores))
    return workers, max(1, min(threads, cores // workers))


def log_config(log_format: str) -> dict[str, Any]:
    """LOG_CONFIG, with JSON lines on stderr too when ``log_format`` is ``json``."""
    if log_format != "json":
        return LOG_CONFIG
    handlers = {**LOG_CONFIG["handlers"], "stderr": {**LOG_CONFIG["handlers"]["stderr"], "formatter": "json"}}
    return {**LOG_CONFIG, "handlers": handlers}


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What every way of starting uvicorn here passes (one worker or several)."""
    limits = HttpLimits.from_settings(settings)
    return {
        "host": settings.host,
        "port": settings.port,
        "log_config": log_config(settings.log_format),
        "access_log": False,
        "server_header": False,
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        # Off: uvicorn believes the leftmost (client-written) X-Forwarded-For entry. The client
        # address comes from clientaddr.ClientAddressMiddleware (SKINSCAN_FORWARDED_HOPS / _TRUSTED_PROXIES).
        "proxy_headers": False,
        # The HTTP edge's limits (api/protocol.py): headers, trailers, bodies, connections. A partial
        # of a module-level class, so that it pickles into `--workers` processes.
        "http": functools.partial(GuardedHttpToolsProtocol, limits=limits),
        "limit_concurrency": limits.max_connections,
        "timeout_keep_alive": settings.keep_alive_s,
    }


def serve(
    host: str | None = None,
    port: int | None = None,
    model: str | Path | None = None,
    workers: int | None = None,
    forwarded_hops: int | None = None,
) -> int:
    """Run the server until SIGTERM/SIGINT; return the process exit code."""
    overrides: dict[str, Any] = {"host": host, "port": port, "model": model, "forwarded_hops": forwarded_hops}
    try:
        base = Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as exc:
        log.error("invalid settings: %s", exc)
        return 2
    if "FORWARDED_ALLOW_IPS" in os.environ:
        log.warning("FORWARDED_ALLOW_IPS is ignored: set SKINSCAN_FORWARDED_HOPS or SKINSCAN_TRUSTED_PROXIES")
    limit_malloc_arenas()
    tune_malloc()  # big upload buffers mapped and unmapped whole (api/memory.py)
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")  # the same for worker processes
    cores = default_threads()
    requested = workers or 1
    n_workers, threads = plan_workers(requested, base.threads, cores)
    if n_workers != requested:
        log.warning("%d workers requested but only %d cores: using %d", requested, cores, n_workers)
    settings = base.model_copy(update={"threads": threads})
    common = uvicorn_options(settings)
    try:
        if n_workers == 1:
            app = create_app(settings)
        else:
            # Fail fast, once, before starting workers; and measure the batch size here, where
            # no other worker competes for the cores, rather than N times at once.
            predictor = Predictor(settings.model, threads=threads)
            max_batch = settings.max_batch or calibrate_batch_size(predictor, limit=16)
    except ModelLoadError as exc:
        log.error("cannot start: %s (set SKINSCAN_MODEL or --model; `make train` builds one)", exc)
        return 2
    log.info("skinscan on http://%s:%d: %d worker(s) x %d thread(s)", settings.host, settings.port, n_workers, threads)
    if n_workers > 1 and settings.rate_limit > 0:
        log.warning(
            "the rate limit (%d/min) is per worker process: a client may get up to %d/min in all",
            settings.rate_limit,
            settings.rate_limit * n_workers,
        )
    if n_workers == 1:
        uvicorn.Server(uvicorn.Config(app, **common)).run()
        return 0
    # Worker processes rebuild the app from the environment (create_app_from_env).
    os.environ.update(
        {
            "SKINSCAN_MODEL": str(settings.model),
            "SKINSCAN_THREADS": str(threads),
            "SKINSCAN_MAX_BATCH": str(max_batch),
            "SKINSCAN_HOST": settings.host,
            "SKINSCAN_PORT": str(settings.port),
            "SKINSCAN_FORWARDED_HOPS": str(settings.forwarded_hops),
        }
    )
    _run_workers(settings, n_workers, common)
    return 0


def _run_workers(settings: Settings, n_workers: int, common: dict[str, Any]) -> None:
    """uvicorn's worker processes under ClosingSupervisor, their metrics summed through a temporary
    ``PROMETHEUS_MULTIPROC_DIR`` (removed at exit) unless the operator set one."""
    metrics_dir = None
    if settings.metrics and not os.environ.get(MULTIPROC_ENV):
        # Each worker keeps its metric values in files here; /metrics sums them (api/metrics.py).
        metrics_dir = tempfile.mkdtemp(prefix="skinscan-metrics-")
        os.environ[MULTIPROC_ENV] = metrics_dir
    try:
        config = uvicorn.Config(
            "skinscan.api.app:create_app_from_env",
            factory=True,
            workers=n_workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
            **common,
        )
        ClosingSupervisor(config, sockets=[config.bind_socket()]).run()
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
            os.environ.pop(MULTIPROC_ENV, None)
