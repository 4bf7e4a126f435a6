"""The code base's layout rules (README "Layout", issue 13): no product module over ~500 lines, and
the import contracts of .importlinter (no circles; which package may import which) kept. `make
lint` checks the contracts too; here they also fail `make test`."""

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("annotations", "treaty", "accounts", "config")
MAX_MODULE_LINES = 500


def test_no_product_module_is_over_500_lines() -> None:
    too_long = {
        str(path.relative_to(REPO_ROOT)): lines
        for package in PRODUCT_PACKAGES
        for path in (REPO_ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"split these modules into a package (lines): {too_long}"


def test_import_contracts_are_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_circle_breaks_the_contracts(tmp_path: Path) -> None:
    """The check can fail: the same contracts over a copy of the code in which the heat aggregation
    imports the tasks that call it."""
    for package in PRODUCT_PACKAGES:
        subprocess.run(["cp", "-r", str(REPO_ROOT / package), str(tmp_path / package)], check=True)
    (tmp_path / ".importlinter").write_text((REPO_ROOT / ".importlinter").read_text(encoding="utf-8"))
    with (tmp_path / "annotations" / "heat" / "aggregation.py").open("a", encoding="utf-8") as module:
        module.write("\nfrom annotations.heat import tasks  # noqa\n")
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
    )
    assert result.returncode != 0
    assert "No cycles are allowed in annotations.heat" in result.stdout
