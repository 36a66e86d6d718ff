"""The README's Python quick start runs as written and prints the numbers it quotes."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_quick_start_runs_and_its_quoted_numbers_are_true(tmp_path, monkeypatch):
    text = README.read_text(encoding="utf-8")
    blocks = _python_blocks(text)
    assert blocks, "README has no python quick start"
    monkeypatch.chdir(tmp_path)  # the snippet saves forest.svg in the working directory
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102
    res = namespace["res"]
    assert (tmp_path / "forest.svg").stat().st_size > 0
    # the values quoted in the comments, to the digits quoted
    quoted = re.search(r"res\.estimate, res\.ci_lower, res\.ci_upper\s+# ([-\d., ]+)", blocks[0])
    values = [float(v) for v in quoted.group(1).replace(" ", "").strip(",").split(",")]
    # the README prints 3 decimals (1 for I^2): true to half a unit in the last digit
    for got, want in zip((res.estimate, res.ci_lower, res.ci_upper), values):
        assert abs(got - want) <= 5e-4, (got, want)
    assert abs(res.tau2 - 0.338) <= 5e-4 and abs(res.i2 - 92.1) <= 5e-2
