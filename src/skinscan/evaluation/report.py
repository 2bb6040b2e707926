"""reports/report.md and reports/figures/*.png from an evaluation result (written by ``evaluate`` only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.metrics import roc_curve  # noqa: E402

from skinscan.evaluation.decisions import Decision  # noqa: E402
from skinscan.evaluation.heldout import HeldOut  # noqa: E402

TITLES = {
    "kaggle": "Kaggle test split (dermoscopy)",
    "derm7pt": "Derm7pt (other clinics, never trained on)",
    "pad-ufes-20": "PAD-UFES-20 held-out patients (smartphone)",
    "ham10000": "HAM10000 held-out lesions (dermoscopy)",
}


def write_report(
    result: dict[str, Any],
    card: dict[str, Any],
    sets: dict[str, HeldOut],
    decisions: dict[str, Decision],
    reports: Path,
) -> None:
    figures = reports / "figures"
    figures.mkdir(parents=True, exist_ok=True)
    lesion = [n for n in TITLES if n in sets]
    _plot_roc(lesion, sets, decisions, result["test"], figures / "roc.png")
    _plot_mistakes(lesion, sets, decisions, float(card["threshold"]), figures / "mistakes.png")
    history = (card.get("training") or {}).get("history") or []
    if history:
        _plot_history(history, figures / "training.png")
    (reports / "report.md").write_text(_markdown(result, card, reports), encoding="utf-8")


def _plot_roc(
    names: list[str], sets: dict[str, HeldOut], decisions: dict[str, Decision], test: dict[str, Any], path: Path
) -> None:
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    for name, style in zip(names, ("-", "--", "-.", ":"), strict=False):
        fpr, tpr, _ = roc_curve(sets[name].labels, decisions[name].p)
        ax.plot(
            fpr,
            tpr,
            style,
            lw=2,
            label=f"{name} (AUC {test[name]['roc_auc']['value']:.3f}, n={len(fpr) and len(sets[name].labels)})",
        )
    ax.plot([0, 1], [0, 1], color="grey", lw=1)
    ax.set(xlabel="1 - specificity", ylabel="sensitivity", title="ROC per held-out set")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _plot_mistakes(
    names: list[str], sets: dict[str, HeldOut], decisions: dict[str, Decision], threshold: float, path: Path, k: int = 4
) -> None:
    """Per set: the most confident misses (malignant called benign) and false alarms."""
    fig, axes = plt.subplots(len(names), 2 * k, figsize=(2 * 2 * k, 2.3 * len(names)), squeeze=False)
    for row, name in enumerate(names):
        p, y = decisions[name].p, sets[name].labels
        missed = [i for i in np.argsort(p) if y[i] == 1 and p[i] < threshold][:k]
        alarms = [i for i in np.argsort(-p) if y[i] == 0 and p[i] >= threshold][:k]
        for col in range(2 * k):
            ax = axes[row, col]
            ax.axis("off")
            picks, kind = (missed, "missed") if col < k else (alarms, "false alarm")
            j = col % k
            if j < len(picks):
                i = picks[j]
                ax.imshow(sets[name].images[i])
                ax.set_title(f"{kind} p={p[i]:.2f}\n{Path(sets[name].rel[i]).name[:18]}", fontsize=7)
        axes[row, 0].text(-0.15, 0.5, name, transform=axes[row, 0].transAxes, rotation=90, va="center", ha="right")
    fig.suptitle(
        "Most confident mistakes per held-out set (left: malignant called benign; right: benign called malignant)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _plot_history(history: list[dict[str, float]], path: Path) -> None:
    epochs = [h["epoch"] for h in history]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6))
    left.plot(epochs, [h["train_loss"] for h in history], "o-")
    left.set(xlabel="epoch", title="training loss (augmented)")
    for key in [k for k in history[0] if k.startswith("auc_")] + ["score", "gate_auc"]:
        right.plot(epochs, [h[key] for h in history], "o-", label=key)
    right.set(xlabel="epoch", title="validation ROC AUC")
    right.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _fmt(m: dict[str, Any]) -> str:
    if m.get("ci95") is None:
        return f"{m['value']:.3f}"
    return f"{m['value']:.3f} [{m['ci95'][0]:.3f}, {m['ci95'][1]:.3f}]"


def metrics_table(per_set: dict[str, Any]) -> list[str]:
    keys = ("roc_auc", "accuracy_at_0.5", "sensitivity", "specificity", "ece")
    lines = [
        "| set | n (malignant) | " + " | ".join(keys) + " | accepted by gate + quality |",
        "|---" * (len(keys) + 3) + "|",
    ]
    for name, m in per_set.items():
        accepted = f"{100 * m['accepted']:.1f}%" if "accepted" in m else "n/a"
        row = " | ".join(_fmt(m[k]) for k in keys)
        lines.append(f"| {name} | {m['n']['photos']} ({m['n']['malignant']}) | {row} | {accepted} |")
    return lines


def _markdown(result: dict[str, Any], card: dict[str, Any], reports: Path) -> str:
    lines = [
        f"# Evaluation report: {card['name']} {card['version']}",
        "",
        f"Produced by `skinscan evaluate` from the shipped ONNX file (sha256 `{card['onnx_sha256'][:16]}…`), with the "
        "card's decision applied as the server applies it. Selection and calibration used validation photos of every "
        "training source; these held-out sets were read only here.",
        "",
        f"Threshold (card): **{card['threshold']:.4f}** on p_malignant; risk bands {card['risk_bands']};"
        f" gate threshold "
        f"{card.get('gate', {}).get('threshold')} on p_lesion. Sensitivity/specificity at the card threshold; "
        "intervals: percentile bootstrap over photos (1000 resamples, fixed seed).",
        "",
        "## Held-out sets",
        "",
        *metrics_table(result["test"]),
        "",
        "## Validation (per source, used for selection and calibration)",
        "",
        *metrics_table({k: v for k, v in (card.get("training") or {}).get("validation", {}).items() if "roc_auc" in v}),
        "",
    ]
    lines += _gate_lines(result)
    lines += _band_lines(result.get("bands", {}))
    lines += [
        "## PAD-UFES-20 held-out patients by Fitzpatrick skin type",
        "",
        "| type | photos | malignant | ROC AUC | sensitivity | specificity |",
        "|---|---|---|---|---|---|",
    ]
    for t, row in result.get("pad_by_skin_type", {}).items():
        lines.append(
            f"| {t} | {row['photos']} | {row['malignant']} | {row.get('roc_auc', 'too few')} | "
            f"{row.get('sensitivity', '')} | {row.get('specificity', '')} |"
        )
    lines += _diagnosis_lines(result.get("by_diagnosis", {}))
    lines += ["", "## Robustness: decisions that flip at the threshold", ""]
    changes: dict[str, Any] = next(iter(result["robustness"].values()), {})
    lines += ["| set | " + " | ".join(changes) + " |", "|---" * (len(changes) + 1) + "|"]
    for name, table in result["robustness"].items():
        lines.append(
            f"| {name} | " + " | ".join(f"{100 * r['decision_flip_rate']:.1f}%" for r in table.values()) + " |"
        )
    lines += _steadiness_lines(result)
    lines += ["", "## Figures", ""]
    for name, title in (("roc", "ROC per set"), ("mistakes", "Mistakes per set"), ("training", "Training curves")):
        if (reports / "figures" / f"{name}.png").is_file():
            lines.append(f"![{title}](figures/{name}.png)")
    lines += ["", "This is not a diagnosis tool; see the model card's intended use and limitations.", ""]
    return "\n".join(lines)


def _band_lines(bands: dict[str, Any]) -> list[str]:
    """What the page's "of 100 spots that got this band" sentence reads: malignant shares per band, measured."""
    if not bands:
        return []
    lines = [
        "## Risk bands: how many answered photos in each band were malignant",
        "",
        'The page\'s sentence "of 100 spots that got this band in our test photos, about N were skin cancer" reads the'
        " `all` row of `metrics.json`'s `bands`. Share [95% Wilson interval] (photos).",
        "",
        "| photos | low | medium | high |",
        "|---|---|---|---|",
    ]
    rows = {"all (4 sets)": bands.get("all"), "dermoscopic": bands.get("dermoscopic"), "phone": bands.get("phone")}
    rows.update(bands.get("by_set", {}))
    for name, row in rows.items():
        if not row:
            continue
        cells = []
        for band in ("low", "medium", "high"):
            cell = row.get(band, {})
            share = "n/a" if cell.get("share") is None else f"{100 * cell['share']:.0f}%"
            low, high = cell.get("ci95", [0.0, 1.0])
            cells.append(f"{share} [{100 * low:.0f}-{100 * high:.0f}%] ({cell.get('photos', 0)})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _diagnosis_lines(per_set: dict[str, Any]) -> list[str]:
    """Where the misses and the false alarms come from: the share called malignant per diagnosis."""
    if not per_set:
        return []
    lines = [
        "",
        "## By diagnosis: share called malignant at the card threshold",
        "",
        "For a malignant diagnosis this is its sensitivity; for a benign one, its false-alarm rate.",
        "",
        "| set | diagnosis | label | photos | called malignant | median p |",
        "|---|---|---|---|---|---|",
    ]
    for name, table in per_set.items():
        for dx, row in table.items():
            lines.append(
                f"| {name} | {dx} | {row['label']} | {row['photos']} | {100 * row['called_malignant']:.0f}% | "
                f"{row['median_p']:.2f} |"
            )
    return lines


def _gate_lines(result: dict[str, Any]) -> list[str]:
    lines = ["## Refusals", ""]
    ns = result.get("not_skin_refused")
    if ns:
        lines.append(
            f"- Everyday photos refused: **{100 * ns['held_out']:.1f}%** of the {ns['held_out_n']} held out from the "
            f"gate's "
            f"training; {100 * ns['all_500_incl_training']:.1f}% of all 500 (400 of them were seen in "
            "training or validation)."
        )
    akiec = result.get("ham_akiec")
    if akiec:
        lines.append(
            f"- HAM10000 akiec (left out of training): {akiec['photos']} photos, "
            f"{100 * akiec['called_malignant']:.0f}% "
            f"called malignant, median p {akiec['median_p']:.2f}."
        )
    u = result["unusable"]
    lines += ["", f"Unusable photos made from {u['photos']} held-out lesion photos ({', '.join(u['from'])}):", ""]
    lines += ["| degradation | level | refused | of which by the quality checks |", "|---|---|---|---|"]
    for key, row in u.items():
        if isinstance(row, dict):
            lines.append(
                f"| {key} | {row['level']} | {100 * row['refused']:.1f}% | {100 * row['refused_by_quality']:.1f}% |"
            )
    return [*lines, ""]


def _steadiness_lines(result: dict[str, Any]) -> list[str]:
    """Issue 17's tables: answer flips under mirror/turn/light, calibration per set, blur refusals."""
    lines: list[str] = []
    steady = result.get("steadiness")
    if steady:
        changes = [c for c in next(iter(steady.values())) if c != "worst_answer_flip_rate"]
        lines += [
            "",
            "## Steadiness: answers that change when the same photo is mirrored, turned or relit",
            "",
            "Each view and the original re-encoded as JPEG q92; the answer is benign/malignant at the card threshold "
            "(band changes in brackets).",
            "",
            "| set | " + " | ".join(changes) + " |",
            "|---" * (len(changes) + 1) + "|",
        ]
        for name, rows in steady.items():
            cells = [
                f"{100 * rows[c]['answer_flip_rate']:.1f}% ({100 * rows[c]['band_change_rate']:.1f}%)" for c in changes
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Calibration per set (ECE, 10 bins)", "", "| set | photos | ECE [95% CI] |", "|---|---|---|"]
    for name, m in result["test"].items():
        lines.append(f"| {name} | {m['n']['photos']} | {_fmt(m['ece'])} |")
    blur = result.get("blur")
    if blur:
        lines += [
            "",
            "## Blurred photos (Gaussian sigma 2% / 4% of the shorter side)",
            "",
            "| set | clean accepted | 2%: refused | 2%: malignant answered low | 4%: refused | "
            "4%: malignant answered low |",
            "|---|---|---|---|---|---|",
        ]
        for name, row in blur.items():
            two, four = row["2%"], row["4%"]
            lines.append(
                f"| {name} | {100 * row['clean_accepted']:.1f}% | {100 * two['refused']:.1f}% | "
                f"{two['malignant_answered_low']} of {two['malignant']} | {100 * four['refused']:.1f}% | "
                f"{four['malignant_answered_low']} of {four['malignant']} |"
            )
    return lines
