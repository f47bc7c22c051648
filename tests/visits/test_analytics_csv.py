"""Analytics CSV exports: GA4, Matomo/Plausible-like tables and spreadsheets become hits."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from leaddesk.db.engine import Database
from leaddesk.visits.access_log import BadLine, Hit
from leaddesk.visits.analytics_csv import (
    NO_AGENT_COLUMN,
    CsvMapping,
    looks_like_csv,
    map_columns,
    read_csv_hits,
    read_visit_hits,
)
from leaddesk.visits.log_import import import_visits, token_in
from tests.visits.visits_data import TOKEN, sent_email

TEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NOT_A_TIME = "is not a date and time like 2026-03-02T10:00:00Z or Unix seconds"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)


def write(folder: Path, name: str, lines: list[str], encoding: str = "utf-8") -> Path:
    """The lines written as one file (CRLF, as spreadsheet exports do)."""
    path = folder / name
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def hits(path: Path, mapping: CsvMapping | None = None) -> list[Hit]:
    """Every row of the file, which must all be hits."""
    items = list(read_csv_hits(path, mapping))
    assert all(isinstance(item, Hit) for item in items), items
    return [item for item in items if isinstance(item, Hit)]


def bad_lines(path: Path) -> list[tuple[int, str]]:
    """(line, reason) of each row of the file that is not a hit."""
    return [(b.line_no, b.reason) for b in read_csv_hits(path) if isinstance(b, BadLine)]


def test_ga4_export_gives_hits_with_microsecond_times_the_token_and_the_pseudo_id(
    tmp_path: Path,
) -> None:
    """A GA4 BigQuery export: event_timestamp in µs, absolute page_location, user_pseudo_id."""
    path = write(tmp_path, "bq-results.csv", [
        "event_date,event_timestamp,event_name,user_pseudo_id,page_location",
        f"20260302,1772445600123456,page_view,1197102395.1772445500,"
        f"https://www.acme.example/pricing?ld={TOKEN}&utm_source=leaddesk#plans",
        "20260302,1772445900000000,page_view,1197102395.1772445500,"
        "https://WWW.Acme.example:443/caf%C3%A9/menu",
    ])  # fmt: skip
    click, page = hits(path)
    assert click.at == TEN.replace(microsecond=123456) and page.at == TEN.replace(minute=5)
    assert click.target == f"/pricing?ld={TOKEN}&utm_source=leaddesk" and click.path == "/pricing"
    assert token_in(click.target) == TOKEN and click.query["utm_source"] == "leaddesk"
    assert (click.host, page.host) == ("www.acme.example", "www.acme.example")
    assert page.path == "/café/menu" and page.target == "/caf%C3%A9/menu"
    assert click.ip == page.ip == "1197102395.1772445500"  # the visitor stands in for the address
    assert (click.method, click.status, click.line_no) == ("GET", 200, 2)
    assert click.user_agent == NO_AGENT_COLUMN  # not "" (which reads as a bot)


def test_matomo_like_export_uses_the_ip_column_and_the_user_agent(tmp_path: Path) -> None:
    """`Date`, `Page URL`, `Visitor ID`, `IP`, `User agent`: the IP is the address, paths read."""
    path = write(tmp_path, "matomo.csv", [
        "Date,Page URL,Visitor ID,IP,User agent",
        f'2026-03-02 10:00:00,https://acme.example/pricing?ld={TOKEN},3f9a1c,203.0.113.7,"{CHROME}"',
        f'2026-03-02T11:04:00.5+01:00,/blog/launch,3f9a1c,203.0.113.7,"{CHROME}"',
        "2026-03-02 10:06:00,www.acme.example/contact,77aa00,-,-",
    ])  # fmt: skip
    first, second, third = hits(path)
    assert (first.ip, first.user_agent, first.at, first.host) == (
        "203.0.113.7", CHROME, TEN, "acme.example"
    )  # fmt: skip
    assert (second.at, second.target, second.host) == (TEN.replace(minute=4, microsecond=500000),
                                                       "/blog/launch", "")  # fmt: skip
    assert (third.ip, third.user_agent, third.host, third.path) == (
        "", "", "www.acme.example", "/contact"
    )  # fmt: skip


def test_semicolon_windows_1252_export_is_read_with_its_accents_and_day_first_dates(
    tmp_path: Path,
) -> None:
    """A Windows-1252 file without BOM, `;`-delimited, German dates: accents and days right."""
    agent = "Mozilla/5.0 Firefox/126.0 (Größe: 12 €)"
    path = write(tmp_path, "Besuche.csv", [
        "Date;Page URL;Visitor ID;User agent",
        f"02.03.2026 10:00;https://acme.example/menü/preise?ld={TOKEN};a1;{agent}",
        f"02.03.2026 10:01:30;/kontakt;a1;{agent}",
    ], encoding="cp1252")  # fmt: skip
    assert looks_like_csv(path)
    first, second = hits(path)
    assert (first.path, first.user_agent, token_in(first.target)) == ("/menü/preise", agent, TOKEN)
    assert (first.at, second.at, second.ip) == (TEN, TEN.replace(minute=1, second=30), "a1")


def test_columns_with_names_it_does_not_know_can_be_given(tmp_path: Path) -> None:
    """`Zeit;Seite` maps to nothing, so reading says so; an explicit mapping reads the rows."""
    path = write(tmp_path, "besuche.csv", [
        "Zeit;Seite;Besucher", "2026-03-02 10:00;/menü;a1",
    ], encoding="cp1252")  # fmt: skip
    with pytest.raises(ValueError, match="no column for the page address"):
        list(read_csv_hits(path))
    (hit,) = hits(path, CsvMapping(url=1, time=0, visitor=2))
    assert (hit.path, hit.at, hit.ip) == ("/menü", TEN, "a1")


def test_header_names_are_matched_without_case_spacing_or_punctuation() -> None:
    """`pagePath`, `EVENT TIMESTAMP`, `user-pseudo-id`, `Client IP`, `UA` all map."""
    header = [
        "\ufeffevent_date",
        "pagePath",
        "EVENT TIMESTAMP",
        "user-pseudo-id",
        "Client IP",
        "UA",
    ]
    assert map_columns(header) == CsvMapping(url=1, time=2, visitor=3, ip=4, user_agent=5)
    # The most specific name wins: a full URL over a path, a timestamp over a date.
    assert map_columns(["date", "path", "timestamp", "url"]) == CsvMapping(url=3, time=2)


def test_missing_columns_are_named_in_one_sentence(tmp_path: Path) -> None:
    """No page or time column: the error says what was looked for and which columns there are."""
    with pytest.raises(ValueError) as error:
        map_columns(["Visitor", "Referrer", "Clicks"])
    assert str(error.value) == (
        "The file has no column for the page address (looked for url, page url, page location, "
        "full url, page path …) and none for the time (looked for event timestamp, timestamp, "
        "datetime, event time, visit time …); its columns are: Visitor, Referrer, Clicks"
    )
    with pytest.raises(ValueError, match=r"^The file has no column for the time .*: url, ip$"):
        map_columns(["url", "ip"])
    table = write(tmp_path, "leads.csv", ["email,first name", "ines@harbour.example,Ines"])
    assert not looks_like_csv(table)
    (only,) = read_visit_hits([table])  # named .csv: one line saying why, not a pile of lines
    assert isinstance(only, BadLine) and only.line_no == 1
    assert only.reason.endswith("its columns are: email, first name")


def test_bad_rows_are_reported_with_their_line_numbers_and_why(tmp_path: Path) -> None:
    """Unreadable times, empty cells and short rows are BadLines; the other rows still read."""
    path = write(tmp_path, "export.csv", [
        "timestamp,url,visitor_id",
        "2026-03-02T10:00:00Z,/a,v1",
        "yesterday,/b,v1",
        ",/c,v1",
        "2026-02-30 10:00:00,/d,v1",
        '2026-03-02T10:00:00Z,"/e',
        'with a newline",v1',
        "2026-03-02T10:00:00Z,,v1",
        "2026-03-02T10:00:00Z",
        "",
        "99999999999999999999,/f,v1",
        "1772445600,/g,v1",
    ])  # fmt: skip
    items = list(read_csv_hits(path))
    assert [(i.line_no, i.path) for i in items if isinstance(i, Hit)] == [
        (2, "/a"), (6, "/e\r\nwith a newline"), (12, "/g")
    ]  # fmt: skip
    assert bad_lines(path) == [
        (3, f"the time 'yesterday' {NOT_A_TIME}"),
        (4, "the time is empty"),
        (5, f"the time '2026-02-30 10:00:00' {NOT_A_TIME}"),
        (8, "the page address is empty"),
        (9, "the row has 1 field(s): the page address or the time is missing"),
        (11, f"the time '99999999999999999999' {NOT_A_TIME}"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("later", "expected"),
    [
        ("13/03/2026 09:00", datetime(2026, 3, 2, 10, 0, tzinfo=UTC)),  # day first
        ("03/13/2026 09:00", datetime(2026, 2, 3, 10, 0, tzinfo=UTC)),  # month first
    ],
)
def test_day_first_or_month_first_is_told_by_a_later_date_of_the_file(
    tmp_path: Path, later: str, expected: datetime
) -> None:
    """02/03/2026 is 2 March when another row has 13/03, 3 February when another has 03/13."""
    path = write(tmp_path, "views.csv", ["Time,Page", "02/03/2026 10:00,/a", f"{later},/b"])
    first, second = hits(path)
    assert first.at == expected and second.at.hour == 9


def test_a_date_nothing_in_the_file_disambiguates_is_a_bad_line(tmp_path: Path) -> None:
    """Only dates like 02/03/2026: each row says it could be either (same-number days read)."""
    path = write(tmp_path, "views.csv", [
        "Time,Page", "02/03/2026 10:00,/a", "3/3/2026 9:15:30 PM,/b", "04/03/2026 10:00,/c",
    ])  # fmt: skip
    items = list(read_csv_hits(path))
    assert isinstance(items[1], Hit) and items[1].at == datetime(2026, 3, 3, 21, 15, 30, tzinfo=UTC)
    assert [(b.line_no, b.reason) for b in items if isinstance(b, BadLine)] == [
        (2, "the date '02/03/2026 10:00' could be 2 March or 3 February: no date in the file says"
            " which comes first (export dates as YYYY-MM-DD)"),
        (4, "the date '04/03/2026 10:00' could be 4 March or 3 April: no date in the file says"
            " which comes first (export dates as YYYY-MM-DD)"),
    ]  # fmt: skip
    given = hits(path, CsvMapping(url=1, time=0, day_first=False))
    assert given[0].at == datetime(2026, 2, 3, 10, 0, tzinfo=UTC)


def test_every_usual_time_format_means_the_same_instant(tmp_path: Path) -> None:
    """ISO with Z, naive (UTC), an offset, BigQuery's `UTC`, 2026/03/02, Unix s, ms, µs, ns."""
    times = [
        "2026-03-02T10:00:00Z", "2026-03-02 10:00:00", "2026-03-02T11:00:00.000+01:00",
        "2026-03-02 05:00:00-0500", "2026-03-02 10:00:00.000000 UTC", "2026/03/02 10:00",
        "1772445600", "1772445600.0", "1772445600000", "1772445600000000", "1772445600000000000",
    ]  # fmt: skip
    path = write(tmp_path, "times.csv", ["server_time,page", *(f"{t},/" for t in times)])
    assert [hit.at for hit in hits(path)] == [TEN] * len(times)


def test_files_are_told_apart_by_content_not_by_name(tmp_path: Path) -> None:
    """A CSV named .txt is CSV (GA4's # comment lines too); logs, gzip and lead lists are not."""
    export = write(tmp_path, "export.txt", [
        "# ----------------------------------------", "# Property: Acme, Inc.", "",
        "Page location\tEvent time\tClient ID", "https://acme.example/\t2026-03-02 10:00\tc1",
    ])  # fmt: skip
    log = write(tmp_path, "access.log", [
        f'203.0.113.7 - - [02/Mar/2026:10:00:00 +0000] "GET /?ld={TOKEN} HTTP/1.1" 200 5 "-" '
        f'"{CHROME}"'
    ])  # fmt: skip
    packed = tmp_path / "export.csv.gz"
    packed.write_bytes(gzip.compress(export.read_bytes()))
    empty = write(tmp_path, "empty.csv", [])
    assert looks_like_csv(export) and not looks_like_csv(log)
    assert not looks_like_csv(packed) and not looks_like_csv(empty)
    assert [(h.source, h.ip) for h in hits(export)] == [("export.txt", "c1")]
    items = list(read_visit_hits([export, log, empty]))
    assert [(i.source, i.line_no, type(i).__name__) for i in items] == [
        ("export.txt", 5, "Hit"), ("access.log", 1, "Hit")
    ]  # fmt: skip


def test_containing_keeps_only_the_rows_of_those_visitors(tmp_path: Path) -> None:
    """Pass two of an import reads one visitor's rows; rows without any id are never theirs."""
    path = write(tmp_path, "ga4.csv", [
        "event_timestamp,page_location,client_id",
        "1772445600000000,/a,111.1", "1772445601000000,/b,222.2", "1772445602000000,/c,",
        "bad,/d,111.1", "1772445603000000,/e,111.1",
    ])  # fmt: skip
    items = list(read_visit_hits([path], containing={"111.1"}))
    assert [(i.line_no, i.path if isinstance(i, Hit) else "bad") for i in items] == [
        (2, "/a"), (5, "bad"), (6, "/e")
    ]  # fmt: skip


def test_import_visits_counts_a_click_and_a_page_from_an_analytics_export(
    db: Database, tmp_path: Path
) -> None:
    """A CSV export imports like a log: the token's click and the same visitor's next page."""
    sent_email(db)
    path = write(tmp_path, "matomo-export.csv", [
        "Date,Page URL,Visitor ID,User agent",
        f'2026-03-02 10:00:00,https://www.acme.example/pricing?ld={TOKEN},3f9a1c,"{CHROME}"',
        f'2026-03-02 10:04:10,https://www.acme.example/caf%C3%A9/menu,3f9a1c,"{CHROME}"',
        f'2026-03-02 10:05:00,https://www.acme.example/about,77aa00,"{CHROME}"',
        f'2026-03-02 13:00:00,https://www.acme.example/blog,3f9a1c,"{CHROME}"',
        "not a time,https://www.acme.example/,3f9a1c,x",
    ])  # fmt: skip
    report = import_visits(db, [path], now=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    assert (report.clicks, report.pages, report.leads) == (1, 1, 1)
    assert (report.lines, report.bad_lines, report.bad[0].line_no) == (5, 1, 6)
    again = import_visits(db, [path], now=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    assert (again.clicks, again.pages, again.already_imported) == (0, 0, 2)


def test_an_export_without_a_user_agent_column_still_counts_its_clicks(
    db: Database, tmp_path: Path
) -> None:
    """GA4 exports have no user agent: their clicks count as people's, not as bots'."""
    sent_email(db)
    path = write(tmp_path, "bq-results.csv", [
        "event_timestamp,user_pseudo_id,page_location",
        f"1772445600123456,1197102395.17,https://www.acme.example/pricing?ld={TOKEN}",
        "1772445900000000,1197102395.17,https://www.acme.example/pricing/enterprise",
    ])  # fmt: skip
    report = import_visits(db, [path], now=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))
    assert (report.clicks, report.pages, sum(report.machine.values())) == (1, 1, 0)
