"""Files over 400 lines and functions over 60 lines in src/ and web/src (stylesheets excepted).

python scripts/size_check.py        # exit 1 and a list when something is too long
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_FILE, MAX_FUNCTION = 400, 60
GENERATED = {"web/src/api/schema.ts"}  # openapi-typescript's output (`make api-types`)
TS_FUNCTION = re.compile(
    r"^(export\s+)?(default\s+)?(async\s+)?function\s+\w+"  # function declarations
    r"|^(export\s+)?const\s+\w+\s*=\s*(async\s*)?\("  # arrow functions bound to a constant
)


def python_functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, (node.end_lineno or node.lineno) - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def ts_functions(path: Path) -> list[tuple[str, int]]:
    """Top-level functions and arrow-function constants, measured to their closing brace at column 0."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found, start, name = [], None, ""
    for i, line in enumerate(lines):
        if start is None and TS_FUNCTION.match(line):
            start, name = i, line.strip()[:60]
            if line.rstrip().endswith(";"):
                start = None
        elif start is not None and re.match(r"^[}\)]", line):
            found.append((name, i - start + 1))
            start = None
    return found


def problems() -> list[str]:
    """One line per file over MAX_FILE lines or function over MAX_FUNCTION lines."""
    found = []
    files = [*ROOT.glob("src/**/*.py"), *ROOT.glob("web/src/**/*.ts"), *ROOT.glob("web/src/**/*.tsx")]
    for path in sorted(p for p in files if p.relative_to(ROOT).as_posix() not in GENERATED):
        rel = path.relative_to(ROOT)
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_FILE:
            found.append(f"{rel}: {count} lines")
        functions = python_functions(path) if path.suffix == ".py" else ts_functions(path)
        found += [f"{rel}: {name} is {n} lines" for name, n in functions if n > MAX_FUNCTION]
    return found


def main() -> int:
    found = problems()
    sys.stdout.write("".join(f"{p}\n" for p in found))
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
