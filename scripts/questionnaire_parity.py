"""Write web/src/questions/parity.fixture.json: cases computed by skinscan.questionnaire for the page's twin.

The section is a made-up one with large coefficients (the shipped card's are small), a photo weight
other than 1 and one question left out, so that every part of the formula moves the number; the vitest parity
test (combine.test.ts) must reproduce each case to 1e-6, and tests/test_questionnaire.py checks this
file against the Python module. Run after changing the combination: `.venv/bin/python scripts/questionnaire_parity.py`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from skinscan import questionnaire as q

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "web" / "src" / "questions" / "parity.fixture.json"
SECTION = {
    "photo_weight": 0.9,
    "questions": {
        "grown": {"yes": 0.81, "no": -0.52},
        "changed": {"yes": 0.92, "no": -0.16},
        "bleeds": {"yes": 0.64, "no": -0.22},
        "itches": {"yes": 0.23, "no": -0.21},
        "hurts": {"yes": -0.35, "no": 0.12},
    },
    "age": {"per_year": 0.021, "centre": 56.0, "low": 14.0, "high": 91.0},
}


def main() -> None:
    rng = random.Random(18)
    spec = q.spec_from_card({"questionnaire": SECTION})
    cases = []
    photos = [0.0, 1.0, 1e-9, 0.5, 0.226736, 0.999999, *[rng.random() for _ in range(40)]]
    for i, p in enumerate(photos):
        raw: dict[str, str] = {}
        if i % 3:
            raw["age"] = str(rng.randint(1, 120))
        for name in q.QUESTIONS:
            choice = rng.choice(["yes", "no", "unknown", None])
            if choice is not None:
                raw[name] = choice
        if i % 7 == 0:
            raw = {name: "unknown" for name in q.QUESTIONS}
        answers = q.parse_answers({k: [v] for k, v in raw.items()})
        cases.append({"p_photo": p, "answers": answers.as_dict(), "p": q.combine(p, answers, spec)})
    OUT.write_text(json.dumps({"questionnaire": SECTION, "cases": cases}, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
