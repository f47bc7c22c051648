"""Hostile workbooks of the probe's shapes are refused within seconds and a few megabytes."""

from __future__ import annotations

import random
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from leaddesk.importing import HostileFileError, open_table
from leaddesk.importing.xlsx import MAX_SHEET_BYTES, MAX_WORKBOOK_ROWS
from leaddesk.importing.xlsx_stream import MAX_SHARED_STRINGS_BYTES

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = DOC + "/worksheet"
STRINGS_TYPE = DOC + "/sharedStrings"


def build_workbook(
    path: Path, sheet: Iterator[bytes], strings: Iterator[bytes] | None = None
) -> Path:
    """A minimal real .xlsx whose sheet (and shared strings) XML is streamed from chunks."""
    rels = f'<Relationship Id="rId1" Type="{SHEET_TYPE}" Target="worksheets/sheet1.xml"/>'
    if strings is not None:
        rels += f'<Relationship Id="rId2" Type="{STRINGS_TYPE}" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
            '2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
            "</Types>",
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{DOC}"><sheets>'
            '<sheet name="Leads" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{RELS}">{rels}</Relationships>',
        )
        for name, chunks in (
            ("xl/worksheets/sheet1.xml", sheet),
            ("xl/sharedStrings.xml", strings),
        ):
            if chunks is None:
                continue
            with archive.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return path


def sheet_rows(rows: int, cell: Callable[[int], str]) -> Iterator[bytes]:
    """Sheet XML with ``rows`` rows: a header, then ``cell(n)`` in column A."""
    yield f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>'.encode()
    yield b'<row r="1"><c r="A1" t="inlineStr"><is><t>Email</t></is></c></row>'
    batch: list[str] = []
    for number in range(2, rows + 2):
        batch.append(f'<row r="{number}"><c r="A{number}">{cell(number)}</c></row>')
        if len(batch) == 10_000:
            yield "".join(batch).encode()
            batch = []
    yield ("".join(batch) + "</sheetData></worksheet>").encode()


def refused_quickly(path: Path) -> tuple[str, float, float]:
    """Open the file as the import does; (message, seconds, peak MB of Python memory)."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(HostileFileError) as caught:
            table = open_table(path)
            for _ in table.raw_rows():
                pass
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return str(caught.value), elapsed, peak


def test_a_sheet_of_hundreds_of_megabytes_of_xml_is_refused_at_once(tmp_path: Path) -> None:
    """A small workbook whose sheet unpacks past the sheet budget is refused before parsing."""
    rng = random.Random(5)
    filler = "x" * 300
    cell = lambda n: f"<is><t>{rng.randrange(10**6)}{filler}</t></is>".replace("<is>", "<is>")  # noqa: E731
    rows = MAX_SHEET_BYTES // 330 + 1000
    path = build_workbook(tmp_path / "wide.xlsx", sheet_rows(rows, lambda n: cell(n)))
    assert path.stat().st_size < 25 << 20
    message, elapsed, peak = refused_quickly(path)
    assert "MB of XML" in message and "CSV" in message
    assert elapsed < 30 and peak < 300, (elapsed, peak)


def test_huge_shared_strings_are_refused_before_they_are_read(tmp_path: Path) -> None:
    """A workbook whose shared strings unpack past their budget is refused, never loaded."""
    rng = random.Random(9)

    def strings() -> Iterator[bytes]:
        yield f'<?xml version="1.0"?><sst xmlns="{MAIN}">'.encode()
        size = 0
        while size <= MAX_SHARED_STRINGS_BYTES:
            chunk = "".join(
                f"<si><t>{rng.randrange(10**9)}{'y' * 200}</t></si>" for _ in range(5000)
            )
            size += len(chunk)
            yield chunk.encode()
        yield b"</sst>"

    path = build_workbook(
        tmp_path / "strings.xlsx", sheet_rows(10, lambda n: "<v>0</v>"), strings()
    )
    message, elapsed, peak = refused_quickly(path)
    assert "shared text" in message and "CSV" in message
    assert elapsed < 30 and peak < 300, (elapsed, peak)


def test_a_sheet_with_more_rows_than_a_workbook_may_hold_is_refused_in_seconds(
    tmp_path: Path,
) -> None:
    """1,048,577 real rows (one past Excel's limit) are counted and refused in seconds."""
    path = build_workbook(tmp_path / "rows.xlsx", sheet_rows(1_048_576, lambda n: f"<v>{n}</v>"))
    message, elapsed, peak = refused_quickly(path)
    assert f"more than {MAX_WORKBOOK_ROWS:,} rows" in message and "CSV" in message
    assert elapsed < 30 and peak < 300, (elapsed, peak)


def test_a_prefixed_workbook_with_rich_text_and_phonetics_reads_right(tmp_path: Path) -> None:
    """Workbooks written with an ``x:`` prefix (the .NET SDK's way), rich-text runs and
    phonetic hints read as the text a person sees."""
    sheet = iter(
        [
            f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>'
            '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c>'
            '<x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>'
            '<x:row r="3"><x:c r="A3" t="s"><x:v>2</x:v></x:c><x:c r="C3" t="b"><x:v>1</x:v>'
            "</x:c></x:row></x:sheetData></x:worksheet>".encode()
        ]
    )
    strings = iter(
        [
            f'<?xml version="1.0"?><x:sst xmlns:x="{MAIN}">'
            "<x:si><x:t>Email</x:t></x:si>"
            "<x:si><x:r><x:t>Com</x:t></x:r><x:r><x:t>pany</x:t></x:r></x:si>"
            '<x:si><x:t>山田@example.jp</x:t><x:rPh sb="0" eb="2"><x:t>ヤマダ</x:t></x:rPh>'
            "</x:si></x:sst>".encode()
        ]
    )
    path = build_workbook(tmp_path / "prefixed.xlsx", sheet, strings)
    rows = list(open_table(path).raw_rows())
    assert rows == [(1, ["Email", "", "Company"]), (2, []), (3, ["山田@example.jp", "", "TRUE"])]
