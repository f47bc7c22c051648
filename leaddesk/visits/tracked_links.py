"""Tracked links: mark links to the user's own website so a click shows up in its access log.

A link to one of the own domains gets ``ld=<token>`` (a random token stored with the message) and,
if wanted, the usual UTM parameters. Links to other sites are never touched, and only ``href``
values change: the rest of the email stays byte-identical. Pure code, no database and no Qt.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from html import unescape
from html.entities import html5
from typing import NamedTuple
from urllib.parse import SplitResult, quote, unquote_plus, urlsplit

#: What a link token looks like (what new_link_token makes, with room to change its length).
TOKEN_PATTERN = r"[A-Za-z0-9_-]{8,40}"
_TOKEN = re.compile(TOKEN_PATTERN)
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PLACEHOLDER = re.compile(r"\{\{|\{%|\}\}|%\}|%7B%7B|%7B%25", re.IGNORECASE)
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f\"<>\\`]")
_WEB = ("http", "https")
_HARMLESS = {
    "mailto": "An email address: the link opens a new message, clicks are not tracked.",
    "tel": "A phone number: clicks are not tracked.",
    "sms": "A phone number for a text message: clicks are not tracked.",
}
_CHARREF = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
# Any tag (an "<a" inside a quoted attribute is no link); comments, bar Outlook's "<!--[if mso]>",
# and scripts are skipped, unclosed ones to the end. No bare "<" in a tag: "<<<…" stays linear.
_MARKUP = re.compile(
    r"<!--(?!\[if).*?(?:-->|\Z)|<(script|style)\b.*?(?:</\1\s*>|\Z)"
    r"|<(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?P<attrs>(?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.IGNORECASE | re.DOTALL,
)
_ATTRIBUTE = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")
_LINK_END = re.compile(r"</a\s*>", re.IGNORECASE)
# Visible text: block tags part words, inline ones ("<b>example</b>.com") do not.
_TEXT_TAG = re.compile(r"<(/?(?:br|p|div|li|td|th|tr|h[1-6])\b)?[^>]*>", re.IGNORECASE)
# A URL in plain text: brackets only in pairs, as in a_(b), and no trailing punctuation.
_BARE_URL = re.compile(
    r"(?<![\w@/.])https?://(?:\([^\s<>\"'`()]*\)|[^\s<>\"'`()])*(?<![.,;:!?\]])", re.IGNORECASE
)
# Link text that names a site: "acme.example", "www.acme.example/x", but not "report.pdf".
_ADDRESS_TEXT = re.compile(
    r"(?:https?://|www\.|(?![^/]*\.(?:pdf|html?|docx?|xlsx?|pptx?|csv|txt)$))"
    r"(?P<host>(?:[\w-]+\.)+[\w-]*[^\W\d_][\w-]*)(?::\d+)?(?:[/?#]\S*)?",
    re.IGNORECASE,
)


def _normalise_domain(raw: str) -> str | None:
    """``raw`` as a bare lower-case ASCII domain (no scheme, www., path or port), or None."""
    text = re.sub(r"^[a-z][a-z0-9+.-]*://|[/?#].*", "", raw.strip().lower())
    text = re.sub(r":\d*$", "", text).rstrip(".").removeprefix("www.")
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        return None
    labels = text.split(".")
    plausible = len(labels) > 1 and len(text) <= 253 and not labels[-1].isdigit()  # no IPs
    return text if plausible and all(_LABEL.fullmatch(label) for label in labels) else None


def _domain(raw: str, shown: str | None = None) -> str:
    """``raw`` as an own domain; ValueError, naming ``shown`` (or ``raw``), when it is none."""
    domain = _normalise_domain(raw)
    if domain is None:
        raise ValueError(f"the own-domains list has {shown or raw!r}: not a domain name")
    return domain


@dataclass(frozen=True)
class LinkTracking:
    """Which links count as the user's own site, and what is added to them."""

    domains: tuple[str, ...]
    utm: bool = True
    utm_source: str = "leaddesk"
    utm_medium: str = "email"
    enabled: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "domains", tuple(dict.fromkeys(_domain(d) for d in self.domains)))

    @classmethod
    def from_text(
        cls,
        domains_text: str,
        *,
        utm: bool = True,
        utm_source: str = "leaddesk",
        utm_medium: str = "email",
        enabled: bool = True,
    ) -> LinkTracking:
        """Settings from the domains the user typed (separated by commas, spaces or lines)."""
        domains: list[str] = []
        for entry in re.split(r"[,;\n]", domains_text):
            # "foo bar" is reported whole; "acme.example fo" names only the word "fo".
            whole = None if any(map(_normalise_domain, entry.split())) else entry.strip()
            domains += [_domain(word, whole) for word in entry.split()]
        return cls(tuple(domains), utm, utm_source, utm_medium, enabled)

    def own_domain(self, host: str) -> str | None:
        """The own domain that ``host`` is (or is a subdomain of), or None for another site."""
        site = _normalise_domain(host) or ""
        matches = [d for d in self.domains if site == d or site.endswith("." + d)]
        return max(matches, key=len, default=None)  # the most specific one


def _parse(url: str) -> SplitResult | None:
    """A usable absolute or relative URL split in parts (scheme and host lower-case), or None."""
    try:
        parts = urlsplit(url)
        usable = url and not _NOT_IN_URL.search(url) and not _PLACEHOLDER.search(url)
        return parts if usable and (parts.port or 0) >= 0 else None  # .port raises if not a number
    except ValueError:
        return None


def _slug(text: str) -> str:
    """Lower-case ASCII words joined by hyphens, as analytics tools like campaign names."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def new_link_token() -> str:
    """A fresh random token for one message's links (12 URL-safe characters, means nothing)."""
    return secrets.token_urlsafe(9)


def tracked_url(
    url: str, tracking: LinkTracking, *, token: str, campaign: str, content: str
) -> str:
    """``url`` with the token and UTM parameters added if it goes to an own domain, else as is."""
    address = _parse(url) if tracking.enabled else None
    host = address.hostname if address and address.scheme in _WEB else None
    if not host or tracking.own_domain(host) is None:
        return url
    head, hash_mark, fragment = url.partition("#")
    base, _, query = head.partition("?")
    base += "" if urlsplit(base).path else "/"  # "https://acme.example" gets its "/"
    pieces = [piece for piece in query.split("&") if piece]
    keys = [unquote_plus(piece.split("=", 1)[0]) for piece in pieces]
    # Putting this token over an ld= already there makes a second pass harmless.
    pieces = [f"ld={token}" if k == "ld" else p for k, p in zip(keys, pieces, strict=True)]
    added = {"ld": token}
    if tracking.utm:
        added |= {"utm_source": tracking.utm_source, "utm_medium": tracking.utm_medium}
        added |= {"utm_campaign": _slug(campaign), "utm_content": _slug(content)}
    pieces += [f"{k}={quote(v, safe='')}" for k, v in added.items() if v and k not in keys]
    return f"{base}?{'&'.join(pieces)}{hash_mark}{fragment}"


def _decode_reference(ref: re.Match[str]) -> str:
    """One character reference in an attribute, read as browsers do ("&region=eu" stays)."""
    text, after = ref.group(0), ref.string[ref.end() : ref.end() + 1]
    if text[1] == "#":
        return unescape(text)
    return text if after == "=" and not text.endswith(";") else html5.get(text[1:], text)


class _Href(NamedTuple):
    url: str  # as the browser reads it: references decoded, outer spaces dropped
    start: int  # the raw value's span in the document, quotes included
    end: int
    quote_mark: str  # '"', "'" or "" for an unquoted value
    named_host: str  # the site an <a>'s visible text names, if its text looks like an address


def _hrefs(document: str) -> Iterator[_Href]:
    """The ``href`` of every ``<a>`` and ``<area>`` tag, in document order."""
    for tag in _MARKUP.finditer(document):
        name = (tag.group("name") or "").lower()
        attributes = _ATTRIBUTE.finditer(tag.group("attrs") or "") if name in ("a", "area") else ()
        # Browsers use the first href only; one without a value is no link.
        href = next((a for a in attributes if a.group(1).lower() == "href"), None)
        if href is None or href.group(2) is None:
            continue
        raw = href.group(2)
        quote_mark = raw[0] if raw[0] in "\"'" else ""
        url = _CHARREF.sub(_decode_reference, raw[1:-1] if quote_mark else raw).strip()
        start, end = (tag.start("attrs") + i for i in href.span(2))
        closing = _LINK_END.search(document, tag.end(), tag.end() + 2000) if name == "a" else None
        inner = document[tag.end() : closing.start()] if closing else ""
        text = " ".join(unescape(_TEXT_TAG.sub(lambda m: " " if m[1] else "", inner)).split())
        named = _ADDRESS_TEXT.fullmatch(text) if len(text) <= 200 else None
        yield _Href(url, start, end, quote_mark, named.group("host").lower() if named else "")


def _html_links(document: str, track: Callable[[str], str]) -> Iterator[tuple[int, int, str]]:
    """Spans of the hrefs that change, each with its new value ready for the document."""
    for href in _hrefs(document):
        new = track(href.url)
        if new != href.url:
            mark = href.quote_mark or '"'
            value = new.replace("&", "&amp;").replace(mark, f"&#{ord(mark)};")
            yield href.start, href.end, f"{mark}{value}{mark}"


def _text_links(text: str, track: Callable[[str], str]) -> Iterator[tuple[int, int, str]]:
    """Spans of the http(s) URLs in plain text, each with its new form."""
    for match in _BARE_URL.finditer(text):
        yield match.start(), match.end(), track(match.group(0))


def track_links(
    rendered: dict[str, str], tracking: LinkTracking, *, token: str, campaign: str, content: str
) -> dict[str, str]:
    """A copy of a rendered email whose links to the own site carry the token (not the subject)."""
    result = dict(rendered)
    track = partial(tracked_url, tracking=tracking, token=token, campaign=campaign, content=content)
    for part, links in (("html", _html_links), ("text", _text_links)):
        document = result.get(part)
        if document is None or not tracking.enabled or not tracking.domains:
            continue
        pieces, done = [], 0
        for start, end, new in links(document, track):
            pieces += [document[done:start], new]
            done = end
        result[part] = "".join(pieces) + document[done:]
    return result


def tracked_token_of(query: dict[str, str]) -> str | None:
    """The link token in a parsed query string (from an access log line), if it looks like one."""
    value = query.get("ld")
    return value if value is not None and _TOKEN.fullmatch(value) else None


@dataclass(frozen=True)
class LinkProblem:
    """One doubtful link in an email, with a sentence the sequence editor shows next to it."""

    url: str
    message: str


def _address_problem(url: str) -> str | None:
    """Why ``url`` will not work as a link in an email, or None when it is fine."""
    if not url:
        return "The link has no address: write it as https://…"
    if _PLACEHOLDER.search(url) or url.startswith("#"):
        return None  # a merge field filled in later, or a jump inside the email
    if re.search(r"\s", url):
        return "The address has a space in it: email programs cut the link there."
    address = _parse(url)
    if address is None:
        return "The address has characters a web address cannot have."
    if not address.scheme or "." in address.scheme:  # "acme.example:8080" parses so
        return "Not a web address: write it as https://…"
    if address.scheme not in (*_WEB, *_HARMLESS):
        return f"'{address.scheme}:' links are blocked by email programs: use an https:// address."
    return None if address.hostname or address.scheme in _HARMLESS else "No site name after the //."


def link_problems(html: str, tracking: LinkTracking) -> list[LinkProblem]:
    """Links the sequence editor should warn about: broken, misleading or plain http to own site."""
    problems: list[LinkProblem] = []
    for href in _hrefs(html):
        problem, address = _address_problem(href.url), _parse(href.url)
        if problem or address is None or address.scheme not in _WEB:
            problems += [LinkProblem(href.url, problem)] if problem else []
            continue
        named, host = href.named_host, address.hostname or ""
        a, b = (_normalise_domain(h) or h for h in (named, host))  # www. and IDNA aside
        if named and not (a == b or a.endswith("." + b) or b.endswith("." + a)):
            message = f"The link text says {named} but it goes to {host}: readers and spam"
            problems.append(LinkProblem(href.url, message + " filters distrust that."))
        if address.scheme == "http" and tracking.own_domain(address.hostname or ""):
            message = "This link goes to your own site over plain http: use https."
            problems.append(LinkProblem(href.url, message))
    return problems


def check_link(url: str, tracking: LinkTracking) -> tuple[bool, str]:
    """For the "Insert link" dialog: whether ``url`` is usable, and what will happen to it."""
    url = url.strip()
    problem, address = _address_problem(url), _parse(url)
    if problem:
        if not url.startswith(("/", ".")) and _normalise_domain(url):
            return False, f"Not a web address: write it as https://{url}"
        return False, problem
    if address is None or not address.scheme:
        if _PLACEHOLDER.search(url):
            return True, "A merge field: the address is filled in for each lead."
        return True, "A jump to a place in this email: clicks are not tracked."
    if address.scheme in _HARMLESS:
        return True, _HARMLESS[address.scheme]
    own = tracking.own_domain(address.hostname or "")
    if own is None:
        return True, "Another site: the link is left as it is, clicks are not tracked."
    if not tracking.enabled:
        return True, f"Your own site ({own}): click tracking is off, the link is left as it is."
    plain = " Better write it with https://." if address.scheme == "http" else ""
    return True, f"Your own site ({own}): clicks will be tracked.{plain}"
