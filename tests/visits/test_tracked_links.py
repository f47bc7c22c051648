"""Tracked links: links to the user's own site carry a token and UTM tags, nothing else changes."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leaddesk.visits.tracked_links import (
    LinkProblem,
    LinkTracking,
    check_link,
    link_problems,
    new_link_token,
    track_links,
    tracked_token_of,
    tracked_url,
)

TOKEN = "Tok3n_abc-XY"
TRACKING = LinkTracking(("acme.example", "shop.acme.example"))
TAGS = (
    f"ld={TOKEN}&utm_source=leaddesk&utm_medium=email&utm_campaign=spring-hello&utm_content=step-2"
)
HTML_TAGS = TAGS.replace("&", "&amp;")


def track(url: str, tracking: LinkTracking = TRACKING) -> str:
    """``url`` tracked with the test token, for the sequence "Spring hello", step 2."""
    return tracked_url(url, tracking, token=TOKEN, campaign="Spring hello", content="step-2")


def track_email(rendered: dict[str, str], tracking: LinkTracking = TRACKING) -> dict[str, str]:
    """A rendered email tracked with the test token, for the sequence "Spring hello", step 2."""
    return track_links(rendered, tracking, token=TOKEN, campaign="Spring hello", content="step-2")


def query_of(url: str) -> list[tuple[str, str]]:
    """The query parameters of ``url`` in order."""
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- tracked_url -------------------------------------------------------------------------


def test_own_domain_link_gets_token_and_utm_tags() -> None:
    """A link to the own domain gets ld=<token> and the four UTM tags."""
    assert track("https://acme.example/pricing") == f"https://acme.example/pricing?{TAGS}"


def test_subdomains_of_own_domains_are_tracked() -> None:
    """www. and other subdomains count as the own site; the path is kept exactly."""
    assert track("https://www.acme.example/A/b%20c/") == f"https://www.acme.example/A/b%20c/?{TAGS}"
    assert track("https://blog.shop.acme.example/x") == f"https://blog.shop.acme.example/x?{TAGS}"


def test_host_without_path_gets_a_slash_before_the_query() -> None:
    """A bare site address becomes site/?ld=… rather than site?ld=…."""
    assert track("https://acme.example") == f"https://acme.example/?{TAGS}"


def test_existing_query_parameters_are_kept_in_order() -> None:
    """The link's own parameters stay first and in their order, written exactly as before."""
    url = "https://acme.example/search?q=red+shoes&page=2&empty=&x=%2F"
    assert track(url) == f"{url}&{TAGS}"


def test_utm_parameters_written_by_the_user_are_not_overridden() -> None:
    """A utm_campaign the user put in the link wins; the missing UTM tags are still added."""
    tracked = track("https://acme.example/?utm_campaign=launch")
    assert query_of(tracked) == [
        ("utm_campaign", "launch"),
        ("ld", TOKEN),
        ("utm_source", "leaddesk"),
        ("utm_medium", "email"),
        ("utm_content", "step-2"),
    ]


def test_fragment_stays_at_the_end() -> None:
    """#pricing stays after the query, where browsers expect it."""
    assert track("https://acme.example/plans?a=1#pricing") == (
        f"https://acme.example/plans?a=1&{TAGS}#pricing"
    )


def test_tracking_twice_changes_nothing_more() -> None:
    """A link already tracked with the token is left as it is by a second pass."""
    once = track("https://acme.example/?a=1#top")
    assert track(once) == once


def test_campaign_name_is_slugified() -> None:
    """The sequence name becomes lower-case ASCII words joined by hyphens."""
    url = tracked_url(
        "https://acme.example/",
        TRACKING,
        token=TOKEN,
        campaign="Café Outreach — Q2!",
        content="S 3",
    )
    assert dict(query_of(url))["utm_campaign"] == "cafe-outreach-q2"
    assert dict(query_of(url))["utm_content"] == "s-3"


def test_utm_can_be_turned_off() -> None:
    """Without UTM only the token is added."""
    plain = LinkTracking(("acme.example",), utm=False)
    assert track("https://acme.example/x", plain) == f"https://acme.example/x?ld={TOKEN}"


def test_own_utm_source_and_medium_are_used() -> None:
    """The user's own utm_source and utm_medium replace the defaults."""
    tracking = LinkTracking(("acme.example",), utm_source="news letter", utm_medium="e-mail")
    tracked = dict(query_of(track("https://acme.example/", tracking)))
    assert (tracked["utm_source"], tracked["utm_medium"]) == ("news letter", "e-mail")


@pytest.mark.parametrize(
    "url",
    [
        "https://other.example/pricing",
        "https://notacme.example/",
        "https://acme.example.evil.com/",
        "https://evil.com/?next=https://acme.example/",
        "https://acme.example@evil.com/",
        "https://evil.com\\@acme.example/",
    ],
)
def test_other_and_lookalike_domains_are_unchanged(url: str) -> None:
    """Links to third-party or lookalike sites are never touched."""
    assert track(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "mailto:sales@acme.example",
        "tel:+4930123456",
        "/pricing",
        "pricing.html",
        "#top",
        "ftp://acme.example/file",
        "https://acme.example/{{ first_name }}",
        "https://acme.example/%7B%7B%20slug%20%7D%7D",
        "https://acme.example:port/",
        "https://[acme.example/",
        "https://acme.example/a b",
        "",
    ],
)
def test_non_web_relative_placeholder_and_malformed_links_are_unchanged(url: str) -> None:
    """mailto:, tel:, relative links, leftover merge fields and broken URLs stay as written."""
    assert track(url) == url


def test_disabled_or_empty_tracking_returns_the_url_unchanged() -> None:
    """Turned off, or with no own domains, nothing is rewritten."""
    url = "https://acme.example/"
    assert track(url, LinkTracking(("acme.example",), enabled=False)) == url
    assert track(url, LinkTracking(())) == url


def test_uppercase_scheme_and_host_and_unicode_host_are_recognised() -> None:
    """HTTPS://ACME.EXAMPLE and a unicode spelling of an IDNA own domain are the own site."""
    assert track("HTTPS://ACME.EXAMPLE/Path") == f"HTTPS://ACME.EXAMPLE/Path?{TAGS}"
    books = LinkTracking.from_text("bücher.example")
    assert track("https://bücher.example/", books).startswith("https://bücher.example/?ld=")
    assert (
        track("https://xn--bcher-kva.example/", books) == f"https://xn--bcher-kva.example/?{TAGS}"
    )


# --- track_links: HTML -------------------------------------------------------------------


def test_html_entities_in_href_round_trip() -> None:
    """&amp; in an href is read as & and the whole new query is written back with &amp;."""
    html = '<a href="https://acme.example/?a=1&amp;b=2">Pricing</a>'
    out = track_email({"html": html})["html"]
    assert out == f'<a href="https://acme.example/?a=1&amp;b=2&amp;{HTML_TAGS}">Pricing</a>'


def test_legacy_entity_names_in_a_query_are_not_decoded() -> None:
    """A bare "&region=eu" is a parameter, as browsers read it, not "®ion=eu"."""
    html = '<a href="https://acme.example/?a=1&region=eu">x</a>'
    out = track_email({"html": html})["html"]
    assert out == f'<a href="https://acme.example/?a=1&amp;region=eu&amp;{HTML_TAGS}">x</a>'


def test_single_quoted_and_unquoted_hrefs_are_rewritten() -> None:
    """href='…' keeps its single quotes; an unquoted href gets double quotes."""
    html = "<a class=x href='https://acme.example/a'>a</a> <a href=https://acme.example/b>b</a>"
    assert track_email({"html": html})["html"] == (
        f"<a class=x href='https://acme.example/a?{HTML_TAGS}'>a</a> "
        f'<a href="https://acme.example/b?{HTML_TAGS}">b</a>'
    )


def test_uppercase_tags_and_attributes_and_area_tags_are_rewritten() -> None:
    """<A HREF=…> and <area href=…> are links too."""
    html = '<A HREF="https://acme.example/">A</A><map><AREA shape=rect HREF="https://acme.example/m"></map>'
    assert track_email({"html": html})["html"] == (
        f'<A HREF="https://acme.example/?{HTML_TAGS}">A</A>'
        f'<map><AREA shape=rect HREF="https://acme.example/m?{HTML_TAGS}"></map>'
    )


def test_link_text_that_is_a_url_is_left_as_written() -> None:
    """Only the href changes; visible text showing the URL stays exactly as the user wrote it."""
    html = '<a href="https://acme.example/x">https://acme.example/x</a>'
    out = track_email({"html": html})["html"]
    assert out == f'<a href="https://acme.example/x?{HTML_TAGS}">https://acme.example/x</a>'


DOCUMENT = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>a[href^="https://acme.example"] { color: red; }</style>
</head><body>
<p style='font-family: "Segoe UI"'>Grüße &amp; hello &nbsp;<b>Ada</b>,</p>
<!-- <a href="https://acme.example/commented">old</a> -->
<img src="https://acme.example/logo.png" alt="<a href=https://acme.example/alt>">
<p>See <a title="a > b" href="https://acme.example/p?x=1&amp;y=2#top" target=_blank>pricing</a>
or <a href="https://other.example/?a=1&amp;b=2">them</a>, <a name="x">anchor</a>,
<a href="mailto:ada@acme.example">mail</a>.</p>
<script>var s = '<a href="https://acme.example/js">';</script>
</body></html>
"""


def test_rest_of_the_html_stays_byte_identical() -> None:
    """Only the href of the own-site link changes; comments, scripts, images and text do not."""
    old_href = "https://acme.example/p?x=1&amp;y=2#top"
    new_href = f"https://acme.example/p?x=1&amp;y=2&amp;{HTML_TAGS}#top"
    out = track_email({"html": DOCUMENT})["html"]
    assert out == DOCUMENT.replace(old_href, new_href)
    assert DOCUMENT.count(old_href) == 1


def test_outlook_conditional_comments_are_rewritten() -> None:
    """Links inside <!--[if mso]> … <![endif]--> are read by Outlook, so they are tracked."""
    html = '<!--[if mso]><a href="https://acme.example/o">o</a><![endif]-->'
    assert track_email({"html": html})["html"] == (
        f'<!--[if mso]><a href="https://acme.example/o?{HTML_TAGS}">o</a><![endif]-->'
    )


def test_unclosed_comments_and_scripts_hide_links_to_the_end() -> None:
    """An unclosed <!-- or <script> runs to the end of the document, as in a browser."""
    for opener in ("<!-- ", "<script>"):
        html = f'<p>x</p>{opener}<a href="https://acme.example/">y</a>'
        assert track_email({"html": html})["html"] == html


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "junk", ["<a ", '<a "', "<!--", "<script>", '<a href="https://acme.example/">']
)
def test_pathological_markup_is_handled_quickly(junk: str) -> None:
    """Thousands of unclosed tags, comments or links take moments, not minutes."""
    html = junk * 25_000
    track_email({"html": html, "text": html})
    link_problems(html, TRACKING)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>a =\"'/&;#!-hrefHTPS:.xmpl\n")), max_size=80))
def test_html_without_own_links_is_never_changed(noise: str) -> None:
    """Any markup-like text with no link to the own site comes back byte-identical."""
    html = noise + '<a href="https://other.example/">x</a>' + noise
    assert track_email({"html": html})["html"] == html


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>a =\"'/&;#!-pz\n")), max_size=40))
def test_rewriting_html_twice_equals_once(noise: str) -> None:
    """A second pass over tracked HTML changes nothing, whatever surrounds the link."""
    html = f'{noise}<a href="https://acme.example/?q=1&amp;r=2">x</a>{noise}'
    once = track_email({"html": html})["html"]
    assert track_email({"html": once})["html"] == once


# --- track_links: text, subject, copies ---------------------------------------------------


def test_bare_urls_in_the_text_part_stop_before_trailing_punctuation() -> None:
    """Trailing . , ) > and spaces are not part of a URL in the text part."""
    text = (
        "See https://acme.example/a. Or https://acme.example/b, "
        "(https://acme.example/c) <https://acme.example/d> and https://acme.example/e\n"
        "Wiki: https://acme.example/f_(g) and https://other.example/h."
    )
    expected = (
        f"See https://acme.example/a?{TAGS}. Or https://acme.example/b?{TAGS}, "
        f"(https://acme.example/c?{TAGS}) <https://acme.example/d?{TAGS}> and "
        f"https://acme.example/e?{TAGS}\n"
        f"Wiki: https://acme.example/f_(g)?{TAGS} and https://other.example/h."
    )
    assert track_email({"text": text})["text"] == expected


def test_subject_is_never_changed_and_missing_parts_are_fine() -> None:
    """The subject keeps its URL; parts that are missing stay missing."""
    rendered = {"subject": "New at https://acme.example/", "text": "https://acme.example/"}
    out = track_email(rendered)
    assert out == {"subject": rendered["subject"], "text": f"https://acme.example/?{TAGS}"}
    assert track_email({}) == {}


def test_track_links_returns_a_copy() -> None:
    """The rendered dict passed in is not modified."""
    rendered = {"subject": "Hi", "text": "https://acme.example/", "html": ""}
    before = dict(rendered)
    out = track_email(rendered)
    assert rendered == before
    assert out is not rendered


def test_disabled_tracking_returns_identical_dicts() -> None:
    """Tracking turned off (or no domains) gives back an equal copy of the email."""
    rendered = {"subject": "s", "text": "https://acme.example/", "html": DOCUMENT}
    for tracking in (LinkTracking(("acme.example",), enabled=False), LinkTracking(())):
        out = track_email(rendered, tracking)
        assert out == rendered
        assert out is not rendered


# --- LinkTracking.from_text --------------------------------------------------------------


def test_from_text_accepts_commas_spaces_and_lines_and_cleans_entries() -> None:
    """Schemes, www., paths, ports, trailing dots and duplicates are cleaned away."""
    tracking = LinkTracking.from_text(
        "https://www.Acme.example/pricing, shop.acme.example:8443\n\n"
        "acme.example.  blog.acme.example"
    )
    assert tracking.domains == ("acme.example", "shop.acme.example", "blog.acme.example")


def test_from_text_encodes_unicode_domains_with_idna() -> None:
    """bücher.example is kept as xn--bcher-kva.example."""
    assert LinkTracking.from_text("bücher.example").domains == ("xn--bcher-kva.example",)


def test_from_text_passes_the_other_settings_on() -> None:
    """utm, utm_source, utm_medium and enabled reach the settings."""
    tracking = LinkTracking.from_text("acme.example", utm=False, utm_source="s", enabled=False)
    assert (tracking.utm, tracking.utm_source, tracking.utm_medium) == (False, "s", "email")
    assert not tracking.enabled
    assert LinkTracking.from_text(" \n, ").domains == ()


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("acme.example, foo bar", "foo bar"),
        ("acme.example fo", "fo"),
        ("localhost", "localhost"),
        ("192.168.1.10", "192.168.1.10"),
        ("-acme.example", "-acme.example"),
        ("acme..example", "acme..example"),
    ],
)
def test_from_text_rejects_what_is_not_a_domain_with_a_clear_message(text: str, named: str) -> None:
    """Something that is not a domain name raises ValueError naming it."""
    with pytest.raises(ValueError, match=re.escape(f"has {named!r}: not a domain name")):
        LinkTracking.from_text(text)


def test_constructor_normalises_domains_too() -> None:
    """LinkTracking(("WWW.Acme.Example.",)) is the same as from_text would give."""
    assert LinkTracking(("WWW.Acme.Example.", "acme.example")).domains == ("acme.example",)


# --- tokens ------------------------------------------------------------------------------


def test_tokens_are_random_and_url_safe() -> None:
    """Each token is fresh, 12 URL-safe characters, and accepted by tracked_token_of."""
    tokens = {new_link_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{12}", token)
        assert tracked_token_of({"ld": token}) == token


@pytest.mark.parametrize("value", ["short", "x" * 41, "has space x", "a+b/c=d==", "tok3n<img>"])
def test_implausible_tokens_are_rejected(value: str) -> None:
    """Too short, too long or non-URL-safe ld values are not tokens."""
    assert tracked_token_of({"ld": value}) is None


def test_token_comes_back_from_a_tracked_url() -> None:
    """The query of a tracked link, as parsed from an access log, gives the token back."""
    query = dict(query_of(track("https://acme.example/p?a=1")))
    assert tracked_token_of(query) == TOKEN
    assert tracked_token_of({"utm_source": "x"}) is None


# --- link_problems -----------------------------------------------------------------------


def test_link_text_naming_another_site_is_flagged() -> None:
    """Text saying example.com on a link to other.example is a warning, with both names."""
    html = '<p><a href="https://other.example/x">example.com</a></p>'
    assert link_problems(html, TRACKING) == [
        LinkProblem(
            "https://other.example/x",
            "The link text says example.com but it goes to other.example: "
            "readers and spam filters distrust that.",
        )
    ]


@pytest.mark.parametrize(
    "html",
    [
        '<a href="https://acme.example/x">https://acme.example/x</a>',
        '<a href="https://www.acme.example/">acme.example</a>',
        '<a href="https://shop.acme.example/">www.acme.example</a>',
        '<a href="https://acme.example/r.pdf">report.pdf</a>',
        '<a href="https://other.example/">Read the <b>pricing</b> page</a>',
        '<a href="mailto:ada@acme.example">ada@acme.example</a>',
        '<a href="#top">Back to top</a><a name="top">anchor</a>',
        '<a href="{{ unsubscribe_url }}">Unsubscribe</a>',
    ],
)
def test_honest_links_have_no_problems(html: str) -> None:
    """Matching text, plain words, mailto:, in-email jumps and merge fields are all fine."""
    assert link_problems(html, TRACKING) == []


def test_text_with_markup_and_entities_is_read_as_the_reader_sees_it() -> None:
    """<b>example</b>.com and &#46; are read as the visible text example.com."""
    html = '<a href="https://other.example/"><b>example</b>&#46;com</a>'
    assert [p.message.split(":")[0] for p in link_problems(html, TRACKING)] == [
        "The link text says example.com but it goes to other.example"
    ]


@pytest.mark.parametrize(
    ("href", "words"),
    [
        ("javascript:alert(1)", "'javascript:'"),
        ("https://acme .example/", "space"),
        ("https:///path", "No site name"),
        ("/pricing", "https://"),
        ("", "no address"),
    ],
)
def test_malformed_hrefs_are_flagged(href: str, words: str) -> None:
    """Unknown schemes, spaces, missing hosts, relative and empty hrefs are warned about."""
    problems = link_problems(f'<a href="{href}">x</a>', TRACKING)
    assert len(problems) == 1
    assert problems[0].url == href
    assert words in problems[0].message


def test_plain_http_to_the_own_site_is_flagged() -> None:
    """http:// to an own domain says to use https; http:// elsewhere is not our business."""
    html = '<a href="http://acme.example/">site</a> <a href="http://other.example/">other</a>'
    assert link_problems(html, TRACKING) == [
        LinkProblem(
            "http://acme.example/", "This link goes to your own site over plain http: use https."
        )
    ]


# --- check_link --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "valid", "sentence"),
    [
        (
            "https://acme.example/pricing",
            True,
            "Your own site (acme.example): clicks will be tracked.",
        ),
        (
            " https://www.shop.acme.example/ ",
            True,
            "Your own site (shop.acme.example): clicks will be tracked.",
        ),
        (
            "https://other.example/",
            True,
            "Another site: the link is left as it is, clicks are not tracked.",
        ),
        (
            "acme.example/pricing",
            False,
            "Not a web address: write it as https://acme.example/pricing",
        ),
        ("hello", False, "Not a web address: write it as https://…"),
        (
            "mailto:ada@acme.example",
            True,
            "An email address: the link opens a new message, clicks are not tracked.",
        ),
        ("tel:+4930123456", True, "A phone number: clicks are not tracked."),
    ],
)
def test_check_link_explains_what_happens(url: str, valid: bool, sentence: str) -> None:
    """The Insert-link dialog gets a validity flag and one plain sentence."""
    assert check_link(url, TRACKING) == (valid, sentence)


def test_check_link_mentions_https_and_disabled_tracking() -> None:
    """http:// to the own site is valid but nudged; with tracking off it says so."""
    valid, sentence = check_link("http://acme.example/", TRACKING)
    assert valid
    assert "clicks will be tracked" in sentence
    assert "https://" in sentence
    off = LinkTracking(("acme.example",), enabled=False)
    assert check_link("https://acme.example/", off) == (
        True,
        "Your own site (acme.example): click tracking is off, the link is left as it is.",
    )


def test_check_link_refuses_script_links() -> None:
    """javascript: is not valid and the sentence says why."""
    valid, sentence = check_link("javascript:alert(1)", TRACKING)
    assert not valid
    assert "javascript:" in sentence
