"""The `leaddesk` command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from leaddesk import __version__
from leaddesk.cli import main

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "LEADDESK_HOME": str(env_home)}
    return subprocess.run(
        [sys.executable, "-m", "leaddesk", *args], capture_output=True, text=True, env=env
    )


def test_help_lists_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    """`leaddesk --help` names the demo and info subcommands."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "demo" in out and "info" in out and "--db" in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """`leaddesk --version` prints the version, the schema revision it ships and Qt's version."""
    from PySide6.QtCore import qVersion

    with pytest.raises(SystemExit):
        main(["--version"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0] == f"LeadDesk {__version__}"
    newest = sorted(p.stem for p in ROOT.glob("leaddesk/db/migrations/versions/0*.py"))[-1]
    assert lines[1] == f"Database schema {newest}"
    assert lines[2].startswith(f"Qt {qVersion()} (PySide6)")


def test_help_and_version_import_no_command_module_nor_sqlalchemy() -> None:
    """`leaddesk --help` and `--version` answer without importing SQLAlchemy or Qt."""
    code = (
        "import sys; from leaddesk.cli import main\n"
        "for argv in (['--help'], ['--version']):\n"
        "    try: main(argv)\n"
        "    except SystemExit: pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'PySide6', "
        "'leaddesk.commands.'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    assert "send-due" in out.stdout and "copy this database to another" in out.stdout


def test_demo_fills_the_database_once(tmp_path: Path) -> None:
    """`leaddesk demo` adds a few hundred leads from two shows; a second run adds nothing."""
    db_file = tmp_path / "demo.sqlite3"
    first = _run("--db", str(db_file), "demo", "--json", env_home=tmp_path / "home")
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["leads"] == 300 and summary["sequences"] == 1
    second = _run("--db", str(db_file), "demo", "--json", env_home=tmp_path / "home")
    assert json.loads(second.stdout)["already_loaded"] is True
    info = _run("--db", str(db_file), "info", "--json", env_home=tmp_path / "home")
    data = json.loads(info.stdout)
    assert data["leads"] == 300 and data["database"] == str(db_file)


def test_leaddesk_db_environment_variable(tmp_path: Path) -> None:
    """LEADDESK_DB chooses the database when --db is not given."""
    import os

    target = tmp_path / "from-env.sqlite3"
    env = {**os.environ, "LEADDESK_HOME": str(tmp_path / "home"), "LEADDESK_DB": str(target)}
    result = subprocess.run(
        [sys.executable, "-m", "leaddesk", "info", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(result.stdout)["database"] == str(target)
    assert target.exists()


def test_command_owners_match_the_registered_subcommands() -> None:
    """Every subcommand is found in the module the start-up table names (with the same help
    line the table lists), and vice versa."""
    import argparse

    from leaddesk.cli import COMMAND_MODULES, COMMAND_OWNERS, COMMANDS, build_parser

    registered, helps = {}, {}
    for module in COMMAND_MODULES:
        parser = build_parser((module,))
        subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        registered.update(dict.fromkeys(subparsers.choices, module))
        helps.update({c.dest: c.help for c in subparsers._choices_actions})
    assert registered == COMMAND_OWNERS
    assert helps == {name: text for name, (_module, text) in COMMANDS.items()}


def test_running_one_command_loads_only_its_module(tmp_path: Path) -> None:
    """`leaddesk import --history` starts without loading the other commands' heavy modules."""
    code = (
        "import sys; from leaddesk.cli import main; "
        f"main(['--db', {str(tmp_path / 'x.sqlite3')!r}, 'import', '--history', '--json']); "
        "print(sorted(m for m in ('alembic', 'jinja2', 'imap_tools', 'leaddesk.demo', "
        "'leaddesk.mailbox', 'leaddesk.commands.sequences') if m in sys.modules))"
    )
    import os

    env = {**os.environ, "LEADDESK_HOME": str(tmp_path / "home")}
    main(["--db", str(tmp_path / "x.sqlite3"), "info", "--json"])  # migrate first
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
