"""``evaluate(model, data, reports)``: the shipped ONNX file on the test split -> reports/.

Runs the ONNX file through the serving predictor (not the checkpoint), so the report describes
exactly what users get. Writes ``metrics.json``, ``report.md`` and ``figures/*.png`` and stores the
test metrics in the model card. The test split is touched here and nowhere in training.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import confusion_matrix, roc_curve  # noqa: E402

from skinscan.card import LABELS, card_path_for, write_card  # noqa: E402
from skinscan.predictor import Predictor  # noqa: E402
from skinscan.training.data import LoadedSplit, known_pairs, load_split  # noqa: E402
from skinscan.training.metrics import ECE_BINS, metrics_with_intervals, point_metrics  # noqa: E402

log = logging.getLogger(__name__)


def predict_all(predictor: Predictor, images: np.ndarray, batch_size: int = 32) -> np.ndarray:
    parts = [predictor.predict_arrays(images[i : i + batch_size]) for i in range(0, len(images), batch_size)]
    return np.concatenate(parts) if parts else np.zeros(0, np.float32)


def test_metrics(predictor: Predictor, test: LoadedSplit) -> tuple[dict[str, Any], np.ndarray]:
    """Metrics (with 95 % bootstrap intervals) of the model file on a loaded test split."""
    p = predict_all(predictor, test.images)
    return metrics_with_intervals(p, test.labels, predictor.card.threshold), p


def robustness(predictor: Predictor, images: np.ndarray, p: np.ndarray) -> dict[str, dict[str, float]]:
    """How often the decision at the card's threshold flips under simple photo changes."""
    threshold = predictor.card.threshold
    base = p >= threshold
    variants = {
        "horizontal_flip": images[:, :, ::-1],
        "rotate_90": np.rot90(images, 1, axes=(1, 2)),
        "brightness_+20%": np.clip(images.astype(np.float32) * 1.2, 0, 255).round().astype(np.uint8),
        "brightness_-20%": np.clip(images.astype(np.float32) * 0.8, 0, 255).round().astype(np.uint8),
    }
    result = {}
    for name, changed in variants.items():
        q = predict_all(predictor, np.ascontiguousarray(changed))
        result[name] = {
            "decision_flip_rate": float(np.mean((q >= threshold) != base)),
            "mean_abs_dp": float(np.mean(np.abs(q - p))),
        }
    return result


def leakage(data: Path, test: LoadedSplit, p: np.ndarray, threshold: float) -> dict[str, Any]:
    """Test metrics without the test photos that have a known same-lesion twin in train."""
    twins = set()
    for a, b in known_pairs(data):
        if a.startswith("test/") and b.startswith("train/"):
            twins.add(a)
        if b.startswith("test/") and a.startswith("train/"):
            twins.add(b)
    keep = np.array([s.rel not in twins for s in test.samples])
    return {
        "test_photos_with_train_twin": int((~keep).sum()),
        "metrics_without_them": point_metrics(p[keep], test.labels[keep], threshold) if keep.any() else None,
    }


def evaluate(model: Path, data: Path, reports: Path, update_card: bool = True) -> dict[str, Any]:
    predictor = Predictor(model)
    test = load_split(data, "test")
    metrics, p = test_metrics(predictor, test)
    result: dict[str, Any] = {
        "model": {
            "name": predictor.card.name,
            "version": predictor.card.version,
            "sha256": predictor.card.onnx_sha256,
        },
        "threshold": predictor.card.threshold,
        "test": metrics,
        "unreadable": test.failures,
        "leakage": leakage(data, test, p, predictor.card.threshold),
        "robustness": robustness(predictor, test.images, p),
    }
    figures = reports / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    _plot_roc(p, test.labels, figures / "roc.png", metrics["roc_auc"]["value"])
    _plot_confusion(p, test.labels, predictor.card.threshold, figures / "confusion.png")
    _plot_reliability(p, test.labels, figures / "reliability.png", metrics["ece"]["value"])
    _plot_mistakes(p, test, predictor.card.threshold, figures / "mistakes.png")
    training = reports / "training.json"
    history = json.loads(training.read_text())["history"] if training.is_file() else []
    if history:
        _plot_history(history, figures / "training.png")
    (reports / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (reports / "report.md").write_text(_report_markdown(result, predictor, reports), encoding="utf-8")
    if update_card:
        card = dict(predictor.card.data)
        card["metrics"] = dict(card.get("metrics") or {}) | {"test": metrics}
        write_card(card_path_for(model), card)
    log.info("test: %s", {k: v["value"] for k, v in metrics.items() if "value" in v})
    return result


# ---------------------------------------------------------------- figures


def _plot_roc(p: np.ndarray, y: np.ndarray, path: Path, auc: float) -> None:
    fpr, tpr, _ = roc_curve(y, p)
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot(fpr, tpr, lw=2, label=f"skinscan (AUC {auc:.3f})")
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1)
    ax.set(xlabel="1 - specificity", ylabel="sensitivity", title="ROC, test split")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_confusion(p: np.ndarray, y: np.ndarray, threshold: float, path: Path) -> None:
    matrix = confusion_matrix(y, (p >= threshold).astype(int), labels=[0, 1])
    fig, ax = plt.subplots(figsize=(4, 3.6))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(
            j,
            i,
            str(count),
            ha="center",
            va="center",
            fontsize=14,
            color="white" if count > matrix.max() / 2 else "black",
        )
    ax.set(
        xticks=[0, 1],
        yticks=[0, 1],
        xticklabels=LABELS,
        yticklabels=LABELS,
        xlabel="predicted",
        ylabel="true",
        title=f"Test, threshold {threshold:.3f}",
    )
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_reliability(p: np.ndarray, y: np.ndarray, path: Path, ece: float) -> None:
    edges = np.linspace(0, 1, ECE_BINS + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, ECE_BINS - 1)
    centres, observed, counts = [], [], []
    for b in range(ECE_BINS):
        mask = which == b
        if mask.any():
            centres.append(p[mask].mean())
            observed.append(y[mask].mean())
            counts.append(mask.sum())
    fig, ax = plt.subplots(figsize=(4.5, 4.5))
    ax.plot([0, 1], [0, 1], "--", color="grey", lw=1, label="perfect calibration")
    ax.plot(centres, observed, "o-", label=f"skinscan (ECE {ece:.3f})")
    ax.set(xlabel="mean predicted p_malignant", ylabel="fraction malignant", title="Reliability, test split")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_history(history: list[dict[str, float]], path: Path) -> None:
    epochs = [h["epoch"] for h in history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(epochs, [h["train_loss"] for h in history], "o-", label="train loss (augmented)")
    left.plot(epochs, [h["val_loss"] for h in history], "o-", label="validation loss")
    left.set(xlabel="epoch", title="loss")
    left.legend()
    right.plot(epochs, [h["val_auc"] for h in history], "o-", label="validation ROC AUC")
    right.plot(epochs, [h["val_accuracy"] for h in history], "o-", label="validation accuracy @0.5 (uncalibrated)")
    right.set(xlabel="epoch", title="validation")
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_mistakes(p: np.ndarray, test: LoadedSplit, threshold: float, path: Path, per_kind: int = 6) -> None:
    """The most confident mistakes: malignant called benign (lowest p) and benign called malignant."""
    y = test.labels
    missed = [i for i in np.argsort(p) if y[i] == 1 and p[i] < threshold][:per_kind]
    false_alarms = [i for i in np.argsort(-p) if y[i] == 0 and p[i] >= threshold][:per_kind]
    fig, axes = plt.subplots(2, per_kind, figsize=(2 * per_kind, 4.6))
    for row, (indices, title) in enumerate(
        ((missed, "malignant, called benign"), (false_alarms, "benign, called malignant"))
    ):
        for col in range(per_kind):
            ax = axes[row, col]
            ax.axis("off")
            if col < len(indices):
                i = indices[col]
                ax.imshow(test.images[i])
                ax.set_title(f"{Path(test.samples[i].rel).name}\np={p[i]:.2f}", fontsize=8)
        axes[row, 0].text(-0.1, 0.5, title, transform=axes[row, 0].transAxes, rotation=90, va="center", ha="right")
    fig.suptitle("Most confident mistakes on the test split")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _fmt(m: dict[str, Any]) -> str:
    return f"{m['value']:.3f} [{m['ci95'][0]:.3f}, {m['ci95'][1]:.3f}]"


def _report_markdown(result: dict[str, Any], predictor: Predictor, reports: Path) -> str:
    card = predictor.card.data
    test = result["test"]
    val = (card.get("metrics") or {}).get("validation") or {}
    rows = ["accuracy_at_0.5", "roc_auc", "accuracy", "sensitivity", "specificity", "ece", "brier"]
    lines = [
        f"# Evaluation report: {predictor.card.name} {predictor.card.version}",
        "",
        f"Produced by `skinscan evaluate` from the shipped ONNX file (`{predictor.model_path.name}`, sha256 "
        f"`{predictor.card.onnx_sha256[:16]}…`). Model selection, calibration and the threshold used the "
        "validation split carved from train (group-aware); the test split was used only for this report.",
        "",
        f"Decision threshold (from the card): **{predictor.card.threshold:.4f}** on p_malignant; risk bands "
        f"{predictor.card.risk_bands}.",
        "",
        "| metric | validation (95% CI) | test (95% CI) |",
        "|---|---|---|",
    ]
    for key in rows:
        lines.append(f"| {key} | {_fmt(val[key]) if key in val else 'n/a'} | {_fmt(test[key])} |")
    n = test["n"]
    lines += [
        "",
        f"Test: {n['photos']} photos ({n['malignant']} malignant, {n['benign']} benign). `accuracy`, "
        "`sensitivity` and `specificity` are at the card's threshold; `accuracy_at_0.5` at p = 0.5.",
        "Intervals: percentile bootstrap over photos, 1000 resamples, fixed seed.",
        "",
        "## Same-lesion leakage between train and test",
        "",
        f"{result['leakage']['test_photos_with_train_twin']} test photos have a known same-lesion twin in train "
        "(`NEAR_DUPLICATES.csv`). Without them:",
        "",
    ]
    without = result["leakage"]["metrics_without_them"]
    if without:
        lines.append("| " + " | ".join(without) + " |")
        lines.append("|" + "---|" * len(without))
        lines.append("| " + " | ".join(f"{v:.3f}" for v in without.values()) + " |")
    lines += [
        "",
        "## Robustness (test split)",
        "",
        "| change | decisions that flip | mean abs change of p |",
        "|---|---|---|",
    ]
    for name, r in result["robustness"].items():
        lines.append(f"| {name} | {100 * r['decision_flip_rate']:.1f}% | {r['mean_abs_dp']:.3f} |")
    export = card.get("export") or {}
    if export.get("variants"):
        lines += [
            "",
            "## Export variants",
            "",
            "| variant | size (MB) | latency, 1 photo (ms) | validation ROC AUC |",
            "|---|---|---|---|",
        ]
        for name, v in export["variants"].items():
            lines.append(
                f"| {name} | {v['bytes'] / 1e6:.1f} | {v['latency_ms_batch1']:.1f} | {_fmt(v['val_roc_auc'])} |"
            )
        lines.append(
            f"\nShipped: **{export.get('shipped')}** ({export.get('int8_rule')}). "
            f"ONNX vs PyTorch max |dp|: {export.get('max_abs_diff_vs_pytorch', float('nan')):.1e}."
        )
    lines += ["", "## Figures", ""]
    for name, title in (
        ("roc", "ROC curve"),
        ("confusion", "Confusion matrix at the threshold"),
        ("reliability", "Reliability diagram"),
        ("training", "Training curves"),
        ("mistakes", "Most confident mistakes"),
    ):
        if (reports / "figures" / f"{name}.png").is_file():
            lines.append(f"![{title}](figures/{name}.png)")
    lines += ["", "This is not a diagnosis tool; see the model card's intended use and limitations.", ""]
    return "\n".join(lines)
