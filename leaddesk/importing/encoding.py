"""Which text encoding a delimited file uses: BOMs, strict UTF-8, then Windows-1252.

charset-normalizer misreads some Windows-1252 files as Windows-1250, so detection is a fixed,
predictable ladder instead, and the user can override the result in the preview.
"""

from __future__ import annotations

import codecs
from pathlib import Path

UTF8_SIG = "utf-8-sig"
UTF16_LE = "utf-16-le"
UTF16_BE = "utf-16-be"
CP1252 = "cp1252"
CHUNK = 1 << 20
SAMPLE = 64 * 1024

_BOMS = (
    (codecs.BOM_UTF8, UTF8_SIG),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _cp1252_lenient(error: UnicodeError) -> tuple[str, int]:
    """Map the five bytes Windows-1252 leaves undefined to the same code points as Latin-1."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return bytes(chunk).decode("latin-1"), error.end


codecs.register_error("leaddesk-cp1252", _cp1252_lenient)


def decode_errors(encoding: str) -> str:
    """The error handler to decode with: lenient for Windows-1252, ``replace`` otherwise."""
    return "leaddesk-cp1252" if codecs.lookup(encoding).name == CP1252 else "replace"


def _looks_utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``-be`` when every other byte of ASCII-ish text is NUL."""
    if len(sample) < 8:
        return None
    pairs = len(sample) // 2
    even_nul = sum(1 for i in range(0, pairs * 2, 2) if sample[i] == 0)
    odd_nul = sum(1 for i in range(1, pairs * 2, 2) if sample[i] == 0)
    if odd_nul > 0.6 * pairs and even_nul < 0.05 * pairs:
        return UTF16_LE
    if even_nul > 0.6 * pairs and odd_nul < 0.05 * pairs:
        return UTF16_BE
    return None


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(path: Path) -> str:
    """The encoding to read ``path`` with (a Python codec name).

    Order: UTF-8/UTF-16 byte-order marks, UTF-16 without BOM (NUL pattern), strict UTF-8 over
    the whole file, UTF-8 with a few broken lines (more valid non-ASCII lines than broken
    ones), then Windows-1252 (which decodes every byte).
    """
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE)
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    guessed = _looks_utf16_without_bom(sample[:4096])
    if guessed:
        return guessed
    if _is_utf8(path):
        return UTF8_SIG  # decodes plain UTF-8 too and drops a stray BOM
    damaged, valid = _utf8_lines(path)
    if valid > len(damaged):
        # Mostly UTF-8 with a few broken lines (a bad copy-paste, a truncated export): read it
        # as UTF-8; the broken rows are rejected with their line numbers (see utf8_damage).
        return UTF8_SIG
    return CP1252


def utf8_damage(path: Path, encoding: str) -> tuple[int, ...]:
    """The line numbers of ``path`` that are not valid UTF-8, when read as ``encoding`` (a
    UTF-8 codec); empty for any other encoding or a clean file."""
    if codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig") or _is_utf8(path):
        return ()
    return tuple(_utf8_lines(path)[0])


def _utf8_lines(path: Path) -> tuple[list[int], int]:
    """(numbers of the lines that are not valid UTF-8, count of valid lines with non-ASCII)."""
    damaged: list[int] = []
    valid = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if line.isascii():
                continue
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                damaged.append(number)
            else:
                valid += 1
    return damaged, valid


def display_name(encoding: str) -> str:
    """A short human name for an encoding (``UTF-8``, ``UTF-16``, ``Windows-1252``...)."""
    names = {
        "utf-8-sig": "UTF-8",
        "utf-8": "UTF-8",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16 LE",
        "utf-16-be": "UTF-16 BE",
        "cp1252": "Windows-1252",
        "iso8859-1": "Latin-1",
        "cp1250": "Windows-1250",
    }
    try:
        return names.get(codecs.lookup(encoding).name, encoding)
    except LookupError:
        return encoding


ENCODING_CHOICES = ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "cp1250", "latin-1")


def damaged_notice(lines: tuple[int, ...]) -> str:
    """What the preview says about lines that are not valid UTF-8 (the user's choice)."""
    shown = ", ".join(str(n) for n in lines[:8]) + (", …" if len(lines) > 8 else "")
    count = len(lines)
    return (
        f"Read as UTF-8, but {count} line{'s' if count != 1 else ''} ({shown}) "
        f"{'have' if count != 1 else 'has'} bytes that are not valid UTF-8: "
        f"{'those rows are' if count != 1 else 'that row is'} rejected and saved with the "
        "rejected rows. If the whole file looks wrong, pick its encoding above."
    )
