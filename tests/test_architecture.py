"""House rules that keep the architecture honest."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "leaddesk"
QT_ALLOWED = {"ui", "tasks"}


def _modules(*, include_migrations: bool = True) -> list[Path]:
    """Hand-written modules (generated forms excluded; migrations optionally)."""
    modules = [p for p in PACKAGE.rglob("*.py") if "forms" not in p.relative_to(PACKAGE).parts]
    if not include_migrations:
        modules = [p for p in modules if "migrations" not in p.relative_to(PACKAGE).parts]
    return modules


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_never_imports_qt() -> None:
    """No module outside leaddesk/ui and leaddesk/tasks imports PySide6 (app.py is the GUI root)."""
    offenders = []
    for path in _modules():
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in QT_ALLOWED or relative.name == "app.py":
            continue
        if any(name.split(".")[0] == "PySide6" for name in _imports(path)):
            offenders.append(str(relative))
    assert offenders == []


def test_no_module_opens_its_own_smtp_session() -> None:
    """Only yagmail opens SMTP sessions: no project module imports smtplib to connect itself."""
    offenders = []
    for path in _modules():
        source = path.read_text(encoding="utf-8")
        if "smtplib.SMTP(" in source or "smtplib.SMTP_SSL(" in source or "SMTP_SSL(" in source:
            offenders.append(str(path.relative_to(PACKAGE)))
    assert offenders == []


def test_modules_stay_small() -> None:
    """No hand-written module grows past 600 lines (schema migrations are data, not logic)."""
    too_big = {
        str(p.relative_to(PACKAGE)): n
        for p in _modules(include_migrations=False)
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600
    }
    assert too_big == {}


def test_cli_does_not_import_qt() -> None:
    """`leaddesk --help` and other subcommands work without loading PySide6."""
    import subprocess
    import sys

    code = "import sys, leaddesk.cli; leaddesk.cli.build_parser(); print('PySide6' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_event_door_imports_no_capability() -> None:
    """leaddesk/activities imports no capability that reacts to events (no import circles)."""
    reacting = ("leaddesk.scoring", "leaddesk.sequences", "leaddesk.handoff", "leaddesk.visits")
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(n for n in _imports(path) if n.startswith(reacting))
        for path in (PACKAGE / "activities").glob("*.py")
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_reactions_are_registered_in_the_documented_order() -> None:
    """Sequences, then scoring, then hand-off, then visits: one visible list, one order."""
    from leaddesk.activities.reactions import install

    names = [r.name for r in install().reactions]
    assert names == ["sequences", "scoring", "handoff", "visits"]
