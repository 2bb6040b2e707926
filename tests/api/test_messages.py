"""Message catalogues: every language has every key, every code has its words; the CLI's refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from skinscan import cli, messages
from skinscan.api.errors import _CODES_BY_STATUS
from skinscan.bench.synthetic import lesion_photo
from skinscan.card import NOT_A_LESION, QUALITY_REASONS, RISK_LEVELS, TOO_SMALL
from skinscan.messages import en, zh

CJK = re.compile(r"[\u4e00-\u9fff]")
# Codes raised by the decoder and the upload reader (images.py, uploads.py, middleware.py).
UPLOAD_CODES = {
    "empty_file",
    "not_an_image",
    "unsupported_type",
    "too_many_pixels",
    "corrupt_image",
    "image_too_small",
    "upload_too_large",
    "malformed_multipart",
    "incomplete_body",
    "not_multipart",
    "missing_field",
    "upload_timeout",
    "rate_limited",
}


@pytest.mark.parametrize("language", sorted(messages.CATALOGUES))
def test_every_catalogue_has_exactly_the_english_keys(language: str) -> None:
    catalogue = messages.CATALOGUES[language]
    assert set(catalogue) == set(en.MESSAGES), {
        "missing": sorted(set(en.MESSAGES) - set(catalogue)),
        "extra": sorted(set(catalogue) - set(en.MESSAGES)),
    }
    assert all(isinstance(value, str) and value.strip() for value in catalogue.values())


def test_every_code_has_its_words() -> None:
    needed = {"disclaimer"}
    needed |= {f"advice.{level}" for level in RISK_LEVELS}
    needed |= {f"hint.{reason}" for reason in (*QUALITY_REASONS, TOO_SMALL, NOT_A_LESION)}
    needed |= {"refusal.photo_unusable", "refusal.not_a_lesion", "error.internal_error"}
    needed |= {f"error.{code}" for code in UPLOAD_CODES | set(_CODES_BY_STATUS.values())}
    assert needed <= set(en.MESSAGES), sorted(needed - set(en.MESSAGES))


def test_chinese_is_chinese_and_keeps_numbers() -> None:
    for key, text in zh.MESSAGES.items():
        assert CJK.search(text), key
        assert re.findall(r"\d+", text) == re.findall(r"\d+", en.MESSAGES[key]) or key.startswith("advice."), key
    assert "6 毫米" in zh.MESSAGES["advice.low"]


def test_advice_leads_with_the_band_and_never_reassures_above_the_threshold() -> None:
    for level in RISK_LEVELS:
        assert en.MESSAGES[f"advice.{level}"].lower().startswith(f"{level} risk")
    assert zh.MESSAGES["advice.low"].startswith("低风险")
    assert zh.MESSAGES["advice.medium"].startswith("中等风险")
    assert zh.MESSAGES["advice.high"].startswith("高风险")
    for level in ("medium", "high"):  # labelled malignant: nothing that sounds like "probably fine"
        text = en.MESSAGES[f"advice.{level}"].lower()
        assert not any(words in text for words in ("probably fine", "harmless", "nothing to worry", "low risk"))


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "en"),
        ("", "en"),
        ("zh-CN", "zh"),
        ("ZH-hans", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("de-DE,zh;q=0.7,en;q=0.3", "zh"),
        ("zh;q=0, en", "en"),
        ("ja, fr", "en"),
        ("zh;q=abc", "en"),
        (",,;;q=", "en"),
    ],
)
def test_accept_language_negotiation(header: str | None, language: str) -> None:
    assert messages.negotiate(header) == language


def test_one_hint_for_the_most_basic_problem() -> None:
    assert messages.hint(["out_of_focus", "too_dark", "low_contrast"]) == en.MESSAGES["hint.too_dark"]
    assert messages.hint(["out_of_focus", "too_small"], "zh") == zh.MESSAGES["hint.too_small"]


def test_cli_predict_prints_answers_and_refusals(
    tiny_model: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, dark = tmp_path / "good.png", tmp_path / "dark.png"
    lesion_photo(400, 300, seed=1).save(good)
    Image.new("RGB", (200, 200)).save(dark)
    assert cli.main(["predict", "--model", str(tiny_model), str(good)]) == 0
    assert cli.main(["predict", "--model", str(tiny_model), "--lang", "zh", str(good), str(dark)]) == 3
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split("\t")[1] in ("benign", "malignant") and "p_malignant=" in lines[0]
    fields = lines[2].split("\t")
    assert fields[:2] == [str(dark), "refused"] and fields[2] == "code=photo_unusable"
    assert "too_dark" in fields[3] and fields[4] == zh.MESSAGES["hint.too_dark"]
    assert "p_malignant" not in lines[2]
    assert cli.main(["predict", "--model", str(tiny_model), str(tmp_path / "missing.jpg"), str(dark)]) == 1
