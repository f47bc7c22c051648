"""Generated Designer forms and resources match their sources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_forms_have_not_drifted() -> None:
    """Recompiling ui/*.ui and resources/*.qrc reproduces the committed files exactly."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build_ui.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_form_has_the_do_not_edit_header() -> None:
    """Each generated module says it is generated and must not be edited by hand."""
    forms = [p for p in (ROOT / "leaddesk" / "ui" / "forms").glob("*.py") if p.stem != "__init__"]
    assert forms
    for path in forms:
        assert "do not edit by hand" in path.read_text(encoding="utf-8").splitlines()[0]
