"""What runs inside a decode worker process: the project's one decoder, and nothing else.

Kept apart from the app so that a worker (forked from a small forkserver that preloads only this
module) holds Pillow and numpy but not FastAPI or ONNX Runtime.
"""

from __future__ import annotations

from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from skinscan.images import DEFAULT_MAX_PIXELS, ImageRejected, prepare, quiet_pillow_warnings

Reply = tuple[Any, ...]


Decoded = tuple[np.ndarray, tuple[int, int]]


def decode_to_model_input(data: bytes, size: int, max_pixels: int = DEFAULT_MAX_PIXELS) -> Decoded:
    """``images.prepare`` as a tuple that crosses a pipe: (uint8 [size, size, 3] pixels, stored size)."""
    prepared = prepare(data, size, max_pixels=max_pixels)
    return prepared.pixels, prepared.original_size


def run_job(job: tuple[bytes, int, int]) -> Reply:
    """("ok", array, stored size) or ("rejected", code, message, status); never raises."""
    data, size, max_pixels = job
    try:
        return ("ok", *decode_to_model_input(data, size, max_pixels))
    except ImageRejected as exc:
        return ("rejected", exc.code, exc.message, exc.status)
    except Exception:  # noqa: BLE001 - the decoder already maps everything; belt and braces
        return ("rejected", "corrupt_image", "The photo could not be decoded. Try another photo.", 400)


def worker_main(conn: Connection) -> None:
    """Serve jobs from the pipe until it closes (the parent kills a worker it abandons)."""
    quiet_pillow_warnings()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_job(job))
