"""The wheel on its own: built from the checkout, installed into a fresh virtual environment
outside it, and used the way a salesperson's install is (demo, a preset, an import, a send)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.mail.mailtest_keyring import PASSWORD, USERNAME

ROOT = Path(__file__).resolve().parents[2]


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin") / "python"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment holding only LeadDesk's wheel; its dependencies come from the test
    environment's site-packages (a path entry, so this checkout's editable install stays out)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(work / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=work,
        timeout=300,
    )
    (wheel,) = (work / "dist").glob("leaddesk-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = _venv_python(venv)
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return venv


def _leaddesk(venv: Path, home: Path, *args: str, stdin: str = "", **env: str) -> str:
    """Run the installed ``leaddesk`` from a folder outside the checkout; its stdout."""
    command = [str(venv / ("Scripts" if os.name == "nt" else "bin") / "leaddesk"), *args]
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LEADDESK_DB")}
    done = subprocess.run(
        command,
        input=stdin,
        capture_output=True,
        text=True,
        cwd=home,
        env={**clean, "LEADDESK_HOME": str(home), "QT_QPA_PLATFORM": "offscreen", **env},
        timeout=180,
    )
    assert done.returncode in (0, 3), f"{args}: {done.stdout}{done.stderr}"  # 3: setup hints
    return done.stdout


def test_the_installed_wheel_runs_demo_presets_import_send_and_the_window(
    installed: Path, tmp_path: Path, smtp_server
) -> None:
    """From the wheel alone: the version with its schema, the sample data, a preset sequence,
    an import enrolled in it, the first emails received by the SMTP server, and the window."""
    home = tmp_path / "home"
    home.mkdir()
    where = subprocess.run(
        [str(_venv_python(installed)), "-c", "import leaddesk; print(leaddesk.__file__)"],
        check=True, capture_output=True, text=True, cwd=home,
    ).stdout  # fmt: skip
    assert str(installed) in where and str(ROOT) not in where
    version = _leaddesk(installed, home, "--version")
    assert "Database schema 00" in version and "Qt 6." in version
    sample = tmp_path / "sample"
    sample.mkdir()
    demo = json.loads(_leaddesk(installed, sample, "demo", "--json"))
    assert demo["leads"] == 300
    created = _leaddesk(
        installed, home, "sequence", "create", "--preset", "tradeshow", "--name", "Expo preset"
    )
    assert "Expo preset" in created
    # The preset sends on weekdays 09:00-17:00; this test runs at any hour, so its copy of the
    # preset (exported, edited, imported back: two more commands of the wheel) is always open.
    exported = home / "expo.json"
    _leaddesk(installed, home, "sequence", "export", "Expo preset", "-o", str(exported))
    document = json.loads(exported.read_text(encoding="utf-8"))
    document["name"] = "Expo"
    document["settings"].update(
        send_days="mon,tue,wed,thu,fri,sat,sun", window_start="00:00", window_end="24:00"
    )
    exported.write_text(json.dumps(document), encoding="utf-8")
    assert "Expo" in _leaddesk(installed, home, "sequence", "import", str(exported))
    _leaddesk(installed, home, "settings", "set", "postal_address", "1 Quay St, Bristol")
    _leaddesk(
        installed, home, "account", "add", "Sales", "--from", "sales@expo.example",
        "--host", "127.0.0.1", "--port", str(smtp_server.port), "--security", "starttls",
        "--username", USERNAME, "--password-stdin",
        stdin=PASSWORD + "\n", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )  # fmt: skip
    _leaddesk(installed, home, "sequence", "resume", "Expo")
    people = home / "expo.csv"
    people.write_text("email,first_name\nada@alpha.example,Ada\nbob@beta.example,Bob\n")
    imported = json.loads(
        _leaddesk(installed, home, "import", str(people), "--enroll", "Expo", "--json")
    )
    assert imported["imported"] == 2 and imported["rejected"] == 0
    sent = _leaddesk(
        installed, home, "send-due", "--password-stdin", stdin=PASSWORD + "\n",
        SSL_CERT_FILE=str(smtp_server.cert_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
    )  # fmt: skip
    recipients = {address for r in smtp_server.received for address in r.recipients}
    # The preset paces its sends like a person: the first goes now, the next a minute later.
    assert recipients and recipients <= {"ada@alpha.example", "bob@beta.example"}, sent
    assert len(smtp_server.received) == len(recipients) and "next send:" in sent
    window = _leaddesk(installed, home, "--check-window")
    assert "LeadDesk window ready (1200×760, page inbox)" in window
