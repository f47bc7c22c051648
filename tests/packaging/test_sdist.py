"""The source distribution holds everything a build needs, and a wheel built from it alone holds
everything the app needs at run time (resources, templates, sample data, migrations, forms)."""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: Files a working install cannot do without, as paths inside the package.
RUNTIME_FILES = (
    "leaddesk/resources/style.qss",
    "leaddesk/resources/sample/",
    "leaddesk/resources/templates/presets/tradeshow_follow_up.json",
    "leaddesk/resources/icons/",
    "leaddesk/db/migrations/script.py.mako",
    "leaddesk/db/migrations/versions/0014_web_visits.py",
    "leaddesk/ui/forms/ui_main_window.py",
    "leaddesk/ui/forms/leaddesk_rc.py",
)


def _has(names: list[str], wanted: str) -> bool:
    return any(
        name == wanted or (wanted.endswith("/") and name.startswith(wanted)) for name in names
    )


def test_the_sdist_and_a_wheel_built_from_it_alone_carry_every_runtime_file(
    tmp_path: Path,
) -> None:
    """`python -m build --sdist`, then a wheel from that archive only: both hold the resources,
    presets, migrations and compiled forms; the sdist also the README and the changelog."""
    subprocess.run(
        [sys.executable, "-m", "build", "--sdist", "--outdir", str(tmp_path), str(ROOT)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (sdist,) = tmp_path.glob("leaddesk-*.tar.gz")
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        inside = [name.removeprefix(f"{top}/") for name in archive.getnames()]
    for wanted in (*RUNTIME_FILES, "README.md", "CHANGELOG.md", "pyproject.toml", "MANIFEST.in"):
        assert _has(inside, wanted), f"{wanted} is missing from {sdist.name}"

    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(sdist)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    (wheel,) = wheels.glob("leaddesk-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for wanted in RUNTIME_FILES:
        assert _has(names, wanted), f"{wanted} is missing from the wheel built from the sdist"
