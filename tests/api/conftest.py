"""Fixtures for the API tests: a tiny model, clients with chosen settings, photos."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.helpers import SHIPPED_MODEL, settings_for
from skinscan.api.app import create_app
from skinscan.bench.synthetic import lesion_jpeg
from tiny_model import write_tiny_model

REPO = Path(__file__).resolve().parents[2]
DATA_CANDIDATES = [os.environ.get("SKINSCAN_DATA", ""), str(REPO.parent / "shared/data/skin-cancer-isic")]

MakeClient = Callable[..., Any]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tiny_model(tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="session", params=["tiny", "shipped"])
def any_model(request: pytest.FixtureRequest, tiny_model: Path) -> Path:
    """The tiny stand-in, and the shipped model when models/skinscan.onnx exists."""
    if request.param == "tiny":
        return tiny_model
    if not SHIPPED_MODEL.is_file():
        pytest.skip("models/skinscan.onnx not built yet")
    return SHIPPED_MODEL


@pytest.fixture
def make_client(tiny_model: Path, tmp_path: Path) -> Iterator[MakeClient]:
    """``with make_client(rate_limit=2) as client:`` — a TestClient over settings of choice."""

    @contextmanager
    def factory(**overrides: Any) -> Iterator[TestClient]:
        model = overrides.pop("model", tiny_model)
        with TestClient(create_app(settings_for(model, tmp_path, **overrides))) as client:
            yield client

    yield factory


@pytest.fixture
def client(make_client: MakeClient) -> Iterator[TestClient]:
    with make_client() as test_client:
        yield test_client


@pytest.fixture(scope="session")
def photo() -> bytes:
    """A real dermoscopy photo from the data set when it is there, else a synthetic one."""
    for candidate in DATA_CANDIDATES:
        folder = Path(candidate) / "test" / "malignant"
        if candidate and folder.is_dir():
            return sorted(folder.glob("*.jpg"))[0].read_bytes()
    return lesion_jpeg(320, 240, seed=7)
