"""Safe email templates: a sandboxed Jinja2 with strict names, a text part and an HTML part.

The body is written as plain text with merge fields. The text part is that text rendered as is;
the HTML part renders the same template with HTML autoescaping after its literal text has been
turned into paragraphs, so a ``<script>`` in a lead's company name arrives as harmless text.
Every email gets the footer with the unsubscribe instruction and the postal address.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from leaddesk.sequences import template_budget as budgets

MAX_SUBJECT = 250
MAX_OUTPUT = budgets.MAX_TEXT
_MAX_REPEAT = 10_000
_URL = re.compile(r"(https?://[^\s<>\"']*[^\s<>\"'.,;:!?)])")
_TRAILING_BREAKS = re.compile(r"(\s*<br>\s*)+$")


class TemplateProblem(Exception):
    """A template that cannot be rendered, explained for the user (what went wrong, the fix)."""

    def __init__(self, message: str, *, fix: str = "", part: str = "body", line: int | None = None):
        super().__init__(message)
        self.message = message
        self.fix = fix
        self.part = part
        self.line = line
        # True when the template ran out of its render time (the same for every lead).
        self.over_budget = "too long to render" in message

    def __str__(self) -> str:
        where = f"{self.part}, line {self.line}" if self.line else self.part
        return f"{where}: {self.message}" + (f" — {self.fix}" if self.fix else "")


@dataclass(frozen=True)
class RenderedEmail:
    """The final parts of one email exactly as it is sent (footer included)."""

    subject: str
    text: str
    html: str

    def as_dict(self) -> dict[str, str]:
        """The ``rendered`` JSON stored on an outbound message."""
        return {"subject": self.subject, "text": self.text, "html": self.html}


class _LeadDeskSandbox(SandboxedEnvironment):
    """The sandbox with the render budgets of :mod:`leaddesk.sequences.template_budget`."""

    intercepted_binops = frozenset(["*", "**", "%"])

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return budgets.check_structure(super()._parse(source, name, filename), source)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budgets.check_time()
        if operator == "*":
            for value, other in ((left, right), (right, left)):
                repeated = isinstance(value, str | list | tuple) and isinstance(other, int)
                if repeated and len(value) * other > _MAX_REPEAT:
                    raise SecurityError("the template repeats text too many times")
            return left * right
        if operator == "**":
            if isinstance(right, int) and right > 100:
                raise SecurityError("the template computes a number that is too large")
            return left**right
        if operator == "%":
            budgets.precheck("format", (left,))
            return budgets.check_size(super().call_binop(context, operator, left, right))
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        budgets.check_time()
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str | list | tuple):
            budgets.precheck(getattr(__obj, "__name__", ""), (owner, *args))
        result = SandboxedEnvironment.call(__self, __context, __obj, *args, **kwargs)
        return budgets.check_size(result)


def _make_env(autoescape: bool) -> SandboxedEnvironment:
    env = _LeadDeskSandbox(
        autoescape=autoescape,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.globals.clear()  # no range/lipsum/cycler/joiner/namespace: only merge fields
    env.filters = budgets.bounded_filters(env.filters)
    return env


TEXT_ENV = _make_env(autoescape=False)
HTML_ENV = _make_env(autoescape=True)


def clean_header(value: str) -> str:
    """A value safe for a mail header: no CR/LF or other control characters, one line, trimmed."""
    # A printable text has none of those categories (isprintable is False for every "Other"
    # and "Separator" but the space): only other texts are walked character by character.
    cleaned = (
        value
        if value.isprintable()
        else "".join(
            " " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in value
        )
    )
    cleaned = " ".join(cleaned.split())
    return cleaned[:MAX_SUBJECT].strip()


def _explain(error: Exception, part: str) -> TemplateProblem:
    """Turn a Jinja2 error into a message a user can act on."""
    line = getattr(error, "lineno", None)
    text = str(error.message if isinstance(error, TemplateError) else error) or type(error).__name__
    if isinstance(error, SecurityError) or "unsafe" in text:
        return TemplateProblem(
            f"not allowed in an email template ({text})",
            fix="use merge fields such as {{ first_name }}, {% if %} and simple loops; "
            "templates cannot reach Python internals, nest loops or build huge texts",
            part=part,
            line=line,
        )
    if isinstance(error, TemplateSyntaxError):
        return TemplateProblem(
            f"syntax error: {text}",
            fix="check that every {{ has a matching }} and every {% if %} an {% endif %}",
            part=part,
            line=line,
        )
    if "undefined" in text:
        name = text.split("'")[1] if text.count("'") >= 2 else text
        return TemplateProblem(
            f"unknown merge field {name!r}",
            fix="pick a field from the merge-field list, or add a fallback with "
            f'{{{{ {name} | default("...") }}}}',
            part=part,
            line=line,
        )
    return TemplateProblem(f"cannot be rendered: {text}", part=part, line=line)


def parse(source: str, part: str = "body") -> nodes.Template:
    """Parse a template (raises :class:`TemplateProblem` on a syntax error)."""
    try:
        return TEXT_ENV.parse(source)
    except (TemplateSyntaxError, SecurityError) as error:
        raise _explain(error, part) from None


def referenced_fields(source: str, part: str = "body") -> set[str]:
    """The merge fields a template uses (raises :class:`TemplateProblem` on a syntax error)."""
    return set(meta.find_undeclared_variables(parse(source, part)))


@lru_cache(maxsize=512)
def _html_source(source: str) -> str:
    """The body template with its literal text turned into escaped HTML paragraphs (links are
    made after rendering: see :func:`render_email`)."""
    pieces = []
    for _, token, value in HTML_ENV.lex(source):
        if token == "data":
            escaped = html.escape(value, quote=False)
            escaped = escaped.replace("\r\n", "\n").replace("\n\n", "</p>\n<p>")
            value = escaped.replace("\n", "<br>\n").replace("</p><br>\n<p>", "</p>\n<p>")
        pieces.append(value)
    return "".join(pieces)


@lru_cache(maxsize=512)
def _compiled(autoescape: bool, source: str) -> Template:
    """Compiled templates, cached: a tick renders the same few steps for many leads."""
    return (HTML_ENV if autoescape else TEXT_ENV).from_string(source)


def _render(env: SandboxedEnvironment, source: str, context: dict[str, Any], part: str) -> str:
    try:
        template = _compiled(env is HTML_ENV, source)
        with budgets.budget():
            output = budgets.bounded_output(template.generate(context))
    except (TemplateError, SecurityError, TypeError, ValueError, ArithmeticError) as error:
        raise _explain(error, part) from None
    except (MemoryError, RecursionError, OverflowError):
        raise TemplateProblem(
            "not allowed in an email template (it needs far too much memory or depth)",
            part=part,
        ) from None
    if len(output) > MAX_OUTPUT:
        raise TemplateProblem("the rendered text is far too long", part=part)
    return output


def render_text(source: str, context: dict[str, Any], part: str = "body") -> str:
    """Render a template as plain text (no escaping), e.g. a task note."""
    return _render(TEXT_ENV, source, context, part)


def render_subject(source: str, context: dict[str, Any]) -> str:
    """Render a subject and make it header-safe; raises when it ends up empty."""
    subject = clean_header(_render(TEXT_ENV, source, context, "subject"))
    if not subject:
        raise TemplateProblem("the subject is empty", fix="write a subject line", part="subject")
    return subject


def footer_text(context: dict[str, Any]) -> str:
    """The plain-text footer: the unsubscribe instruction and the postal address."""
    return f"\n\n-- \n{context['unsubscribe_text']}\n{context['postal_address']}\n"


def footer_html(context: dict[str, Any]) -> str:
    """The HTML footer (escaped), the same words as the text footer."""
    unsubscribe = html.escape(str(context["unsubscribe_text"]))
    address = "<br>".join(html.escape(line) for line in str(context["postal_address"]).splitlines())
    return (
        '<hr style="border:none;border-top:1px solid #ddd;margin:24px 0 8px">'
        f'<p style="font-size:12px;color:#666">{unsubscribe}<br>{address}</p>'
    )


def render_email(subject: str, body: str, context: dict[str, Any]) -> RenderedEmail:
    """The subject, text part and HTML part for one lead (raises :class:`TemplateProblem`)."""
    if not str(context.get("postal_address") or "").strip():
        raise TemplateProblem(
            "no postal address is set",
            fix="enter your postal address in Settings; every email must carry it",
            part="footer",
        )
    rendered_subject = render_subject(subject, context)
    text_body = _render(TEXT_ENV, body, context, "body").strip("\n")
    try:
        html_source = _html_source(body)
    except TemplateSyntaxError as error:
        raise _explain(error, "body") from None
    html_body = _TRAILING_BREAKS.sub("", _render(HTML_ENV, html_source, context, "body").strip())
    # Links are made after rendering, so an address with a merge field in it stays one link
    # (the rendered body holds escaped text and <br>/<p> only: no tag is ever inside a match).
    html_body = _URL.sub(r'<a href="\1">\1</a>', html_body)
    text = text_body + footer_text(context)
    page = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.5">'
        f"<p>{html_body}</p>{footer_html(context)}</body></html>"
    )
    return RenderedEmail(rendered_subject, text, page)
