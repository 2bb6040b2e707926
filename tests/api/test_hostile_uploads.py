"""Issue 5: at least 30 hostile or odd uploads, each a clear JSON 4xx or a correct prediction."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.corpus import OK, Upload, build_corpus
from api.helpers import ANSWER_FIELDS, PREDICT, assert_error

CORPUS = build_corpus()


def test_the_corpus_is_big_enough() -> None:
    assert len(CORPUS) >= 30
    assert len({upload.name for upload in CORPUS}) == len(CORPUS)


@pytest.fixture(scope="module")
def shared_client(tiny_model, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One app for the whole corpus: a hostile upload must not break the next request."""
    from api.helpers import settings_for
    from skinscan.api.app import create_app

    with TestClient(create_app(settings_for(tiny_model, tmp_path_factory.mktemp("c")))) as client:
        yield client


@pytest.mark.parametrize("upload", CORPUS, ids=[upload.name for upload in CORPUS])
def test_hostile_upload(shared_client: TestClient, upload: Upload) -> None:
    response = shared_client.request(
        upload.method,
        PREDICT,
        files=upload.files,
        data=upload.data,
        content=upload.content,
        headers=upload.headers,
    )
    assert response.status_code < 500, response.text
    if upload.expect_code == OK:
        assert response.status_code == 200, response.text
        body = response.json()
        assert set(body) == ANSWER_FIELDS and 0.0 <= body["p_malignant"] <= 1.0
    else:
        assert_error(response, upload.expect_status, upload.expect_code)
    # The worker is still alive and answering.
    assert shared_client.get("/api/v1/health").json()["status"] == "ok"
