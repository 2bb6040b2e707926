"""The stand-in's ``views`` input and ``p_dermoscopic`` output follow MODEL3's contract (tests/tiny_model.py)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from skinscan.bench.synthetic import lesion_photo
from skinscan.images import square_crop_resize


def _view(image: np.ndarray, k: int) -> np.ndarray:
    """MODEL3's view k of an H x W x C image."""
    return np.ascontiguousarray(np.rot90(image, k) if k < 4 else np.rot90(image[:, ::-1], k - 4))


@pytest.fixture(scope="module")
def session(tiny_model: Path) -> ort.InferenceSession:
    return ort.InferenceSession(str(tiny_model), providers=["CPUExecutionProvider"])


@pytest.fixture(scope="module")
def batch() -> np.ndarray:
    photos = [lesion_photo(320, 240, seed=seed, malignant=seed % 2 == 1) for seed in range(3)]
    return np.stack([square_crop_resize(photo, 224) for photo in photos])


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def test_views_is_optional_and_defaults_to_all_eight(session: ort.InferenceSession, batch: np.ndarray) -> None:
    assert [i.name for i in session.get_inputs()] == ["image"]  # what serving requires
    assert [i.name for i in session.get_overridable_initializers()] == ["views"]
    assert "p_dermoscopic" in [o.name for o in session.get_outputs()]
    (default,) = session.run(["p_malignant"], {"image": batch})
    (explicit,) = session.run(["p_malignant"], {"image": batch, "views": np.arange(8, dtype=np.int64)})
    np.testing.assert_array_equal(default, explicit)


def test_one_view_is_that_view_of_the_photo(session: ort.InferenceSession, batch: np.ndarray) -> None:
    single = []
    for k in range(8):
        (p_k,) = session.run(["p_malignant"], {"image": batch, "views": np.array([k], np.int64)})
        turned = np.stack([_view(image, k) for image in batch])
        (p_turned,) = session.run(["p_malignant"], {"image": turned, "views": np.array([0], np.int64)})
        np.testing.assert_allclose(p_k, p_turned, atol=1e-6)
        single.append(p_k)
    assert np.ptp(np.array(single), axis=0).min() > 1e-3, "one view alone depends on the orientation"
    # the default answer is the sigmoid of the mean logit over the views
    (default,) = session.run(["p_malignant"], {"image": batch})
    expected = 1 / (1 + np.exp(-np.mean([_logit(p.astype(np.float64)) for p in single], axis=0)))
    np.testing.assert_allclose(default, expected, atol=1e-5)


def test_the_eight_view_answer_is_the_same_mirrored_or_turned(session: ort.InferenceSession, batch: np.ndarray) -> None:
    (default,) = session.run(["p_malignant"], {"image": batch})
    for k in range(1, 8):
        turned = np.stack([_view(image, k) for image in batch])
        (p,) = session.run(["p_malignant"], {"image": turned})
        np.testing.assert_allclose(p, default, atol=1e-5)


def test_p_dermoscopic_is_a_probability_per_photo(session: ort.InferenceSession, batch: np.ndarray) -> None:
    (p,) = session.run(["p_dermoscopic"], {"image": batch})
    assert p.shape == (len(batch),)
    assert np.all((p >= 0) & (p <= 1))
