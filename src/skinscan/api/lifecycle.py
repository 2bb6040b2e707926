"""Readiness, apart from liveness: is this process the right one to send a request to right now?

``GET /api/v1/health`` (liveness) answers 200 as long as the process serves at all.
``GET /api/v1/ready`` (readiness) answers 200 only once the model is loaded and warmed (one model
call has run: ``create_app``) and the app has started, and 503 again from the moment the process
gets SIGTERM or SIGINT, while it finishes the requests in flight (uvicorn stops accepting
connections at the same moment; api/server.py). Load balancers (HAProxy in ``skinscan cluster``,
a Kubernetes Service through the readiness probe) stop sending it new requests.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType
from typing import Literal

DRAIN_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass
class Lifecycle:
    started: bool = False
    draining: bool = False

    @property
    def state(self) -> Literal["starting", "ready", "draining"]:
        if self.draining:
            return "draining"
        return "ready" if self.started else "starting"


@contextmanager
def drain_on_signals(lifecycle: Lifecycle) -> Iterator[None]:
    """While inside: SIGTERM/SIGINT first mark ``lifecycle`` as draining, then run the handler that
    was there (uvicorn's graceful shutdown). Only on the main thread, where a server process runs
    its loop; elsewhere (a test client's thread) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {int(sig): signal.getsignal(sig) for sig in DRAIN_SIGNALS}

    def handler(sig: int, frame: FrameType | None) -> None:
        lifecycle.draining = True
        chained = previous.get(sig)
        if callable(chained):
            chained(sig, frame)
        elif chained == signal.SIG_DFL:  # no server loop installed one: behave as before
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for sig in DRAIN_SIGNALS:
        signal.signal(sig, handler)
    try:
        yield
    finally:
        for number, chained in previous.items():
            if signal.getsignal(number) is handler:  # uvicorn may have put its originals back already
                signal.signal(number, chained)
