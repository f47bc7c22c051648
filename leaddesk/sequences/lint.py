"""Lint: what is wrong with a sequence before it runs, each finding with its step and its fix.

Run on save and before activation. Errors block activation (and sending); warnings are shown
inline in the editor.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from jinja2 import meta, nodes
from sqlalchemy import select
from sqlalchemy.orm import Session

from leaddesk.db.models import Enrollment, Lead, Sequence, SequenceVersion, StepKind
from leaddesk.sequences.documents import (
    TASK_KINDS,
    DocumentError,
    document_from_version,
    find_account,
    validate_document,
)
from leaddesk.sequences.enrollment import latest_version
from leaddesk.sequences.exits import LIVE_ENROLLMENT
from leaddesk.sequences.merge import UNSUBSCRIBE_TEXT, EmptyField, known_fields
from leaddesk.sequences.planner import only_account
from leaddesk.sequences.preview import context_for, render_step_email
from leaddesk.sequences.templates import _URL as AUTO_LINK  # what the HTML part links
from leaddesk.sequences.templates import TemplateProblem, parse
from leaddesk.sequences.timing import is_valid_zone
from leaddesk.settings import postal_address
from leaddesk.visits.config import load_visit_settings
from leaddesk.visits.tracked_links import LinkTracking, check_link

ERROR = "error"
WARNING = "warning"
_SAMPLE_LEADS = 2000
_FALLBACK_FILTERS = ("default", "d")
# Merge fields and tags, blanked to "{{___}}" of the same length: spans stay, spaces go.
_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
# A written web address as the auto-linker would start it ("https:///x" is a near miss).
_WRITTEN_URL = re.compile(r"(?<![\w@/.])https?://(?!/)[^\s<>\"']*", re.IGNORECASE)
# "https//acme.example", "https:/acme.example", "http:\\acme.example", "htps://acme.example".
_NEAR_MISS = re.compile(
    r"(?<![\w@/.])(?P<scheme>h+t+p+s?)(?P<sep>[:;]{1,2}[/\\]{1,3}|//|\\\\)(?=[\w{])",
    re.IGNORECASE,
)
_SENTENCE_END = ".,;:!?)]"
_SITE_NAME = re.compile(r"(?:[\w-]+\.)+[\w-]+")
# After a space, what still looks like part of the address: ".example", "/pricing", "acme.example".
_CONTINUED = re.compile(r"[ \t]+(?:[./][\w{]|(?:[\w-]+\.)+[\w-]+|\S*/)")


@dataclass(frozen=True)
class LintFinding:
    """One problem: how bad, which step (1-based; None for the whole sequence), what, the fix."""

    severity: str
    step: int | None
    message: str
    fix: str

    def __str__(self) -> str:
        where = f"Step {self.step}" if self.step else "Sequence"
        return f"{self.severity.upper()} {where}: {self.message} — fix: {self.fix}"

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output and the GUI."""
        return {
            "severity": self.severity,
            "step": self.step,
            "message": self.message,
            "fix": self.fix,
        }


def has_errors(findings: list[LintFinding]) -> bool:
    """True when any finding blocks activation."""
    return any(f.severity == ERROR for f in findings)


def bare_fields(template: nodes.Template) -> set[str]:
    """Fields printed without a fallback: not under ``default(...)`` nor checked by an ``if``."""
    found: set[str] = set()

    def names(node: nodes.Node) -> set[str]:
        own = {node.name} if isinstance(node, nodes.Name) else set()
        return own | {n.name for n in node.find_all(nodes.Name)}

    def walk(node: nodes.Node, guarded: frozenset[str]) -> None:
        if isinstance(node, nodes.Name) and node.ctx == "load" and node.name not in guarded:
            found.add(node.name)
            return
        if isinstance(node, nodes.Filter) and node.name in _FALLBACK_FILTERS:
            walk(node.node, guarded | names(node.node)) if node.node else None
            for child in [*node.args, *node.kwargs]:
                walk(child, guarded)
            return
        if isinstance(node, nodes.If | nodes.CondExpr):
            tested = guarded | names(node.test)
            for child in node.iter_child_nodes():
                walk(child, tested)
            return
        for child in node.iter_child_nodes():
            walk(child, guarded)

    walk(template, frozenset())
    return found


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        return f"did you mean {{{{ {close[0]} }}}}? (or pick a field from the merge-field list)"
    return "pick a field from the merge-field list, or remove it"


def _lint_template(
    source: str, part: str, step: int, known: list[str], findings: list[LintFinding]
) -> set[str]:
    """Syntax and unknown-field checks; returns the bare fields used."""
    try:
        template = parse(source, part)
    except TemplateProblem as problem:
        findings.append(LintFinding(ERROR, step, f"{part}: {problem.message}", problem.fix))
        return set()
    for name in sorted(set(meta.find_undeclared_variables(template)) - set(known)):
        findings.append(
            LintFinding(ERROR, step, f"{part}: unknown merge field {name!r}", _suggest(name, known))
        )
    return bare_fields(template) & set(known)


def lint_document(
    session: Session,
    document: dict[str, Any],
    *,
    sequence_id: int | None = None,
    tracking: LinkTracking | None = None,
) -> list[LintFinding]:
    """Every finding for an editor draft (or a stored version's document); ``tracking`` is read
    from the settings unless given."""
    findings: list[LintFinding] = []
    try:
        document = validate_document(document)
    except DocumentError as error:
        return [LintFinding(ERROR, None, str(error), "correct the sequence settings or steps")]
    enrolled = _enrolled_leads(session, sequence_id)
    sample = enrolled or list(session.scalars(select(Lead).limit(_SAMPLE_LEADS)))
    custom = {str(k) for lead in sample for k in (lead.custom_fields or {})}
    known = known_fields(custom)
    settings = document["settings"]
    if not postal_address(session):
        findings.append(
            LintFinding(
                ERROR,
                None,
                "no postal address is set, so no email can be sent",
                "enter your postal address in Settings",
            )
        )
    account = find_account(session, str(settings.get("sender_account") or ""))
    if account is None:
        account = only_account(session)
    if account is None:
        findings.append(
            LintFinding(ERROR, None, "no sender account is chosen", "choose a sender account")
        )
    zone = settings.get("fallback_timezone") or ""
    if zone and not is_valid_zone(zone):
        findings.append(
            LintFinding(ERROR, None, f"unknown time zone {zone!r}", "use a zone like Europe/Berlin")
        )
    tracking = tracking or load_visit_settings(session).tracking
    steps = document["steps"]
    if not any(s["kind"] == StepKind.EMAIL for s in steps):
        findings.append(LintFinding(WARNING, None, "the sequence sends no email", "add an email"))
    for number, step in enumerate(steps, start=1):
        if step["kind"] == StepKind.EMAIL:
            _lint_email(session, step, number, known, enrolled, sample, account, findings)
            for part in ("subject", "body"):
                findings += link_findings(str(step.get(part) or ""), part, number, tracking)
        elif step["kind"] == StepKind.TASK:
            _lint_template(step.get("task_note", ""), "task note", number, known, findings)
            if step.get("task_kind", "other") not in TASK_KINDS:
                findings.append(
                    LintFinding(
                        WARNING,
                        number,
                        f"unknown task kind {step.get('task_kind')!r}",
                        f"use one of {', '.join(TASK_KINDS)}",
                    )
                )
    return findings


def _lint_email(
    session: Session,
    step: dict[str, Any],
    number: int,
    known: list[str],
    enrolled: list[Lead],
    sample: list[Lead],
    account: Any,
    findings: list[LintFinding],
) -> None:
    before = len(findings)
    if not str(step.get("subject") or "").strip():
        findings.append(LintFinding(ERROR, number, "the subject is empty", "write a subject line"))
    bare = _lint_template(step.get("subject", ""), "subject", number, known, findings)
    bare |= _lint_template(step.get("body", ""), "body", number, known, findings)
    contexts = {lead.id: context_for(session, lead, account) for lead in enrolled} if bare else {}
    for name in sorted(bare):
        empty = [lead for lead in enrolled if isinstance(contexts[lead.id].get(name), EmptyField)]
        if empty and name not in ("unsubscribe_text", "custom"):
            findings.append(
                LintFinding(
                    WARNING,
                    number,
                    f"{name} is empty for {len(empty)} of {len(enrolled)} enrolled leads "
                    f"(e.g. {empty[0].email})",
                    f'add a fallback: {{{{ {name} | default("...") }}}}',
                )
            )
    if len(findings) > before or not sample or not postal_address(session):
        return
    for lead in sample[:50]:
        try:
            rendered = render_step_email(session, lead, step, account)
        except TemplateProblem as problem:
            findings.append(
                LintFinding(ERROR, number, f"{problem} (for {lead.email})", problem.fix or "")
            )
            return
        if UNSUBSCRIBE_TEXT not in rendered.text or postal_address(session) not in rendered.text:
            findings.append(
                LintFinding(
                    ERROR,
                    number,
                    "missing unsubscribe instruction or postal address",
                    "keep the standard footer",
                )
            )
            return


def link_findings(source: str, part: str, step: int, tracking: LinkTracking) -> list[LintFinding]:
    """Warnings about the web addresses written in a step's subject or body (a template)."""
    text = _JINJA.sub(lambda m: "{{" + "_" * (len(m[0]) - 4) + "}}", source)
    findings: list[LintFinding] = []

    def warn(message: str, fix: str) -> None:
        findings.append(LintFinding(WARNING, step, f"{part}: {message}", fix))

    for miss in _NEAR_MISS.finditer(text):
        if miss["sep"] != "://" or miss["scheme"].lower() not in ("http", "https"):
            end = _word_end(text, miss.end())
            typed, rest = source[miss.start() : end], source[miss.end() : end]
            warn(f"{typed} is not a web address, so it is no link", f"write https://{rest}")
    for written in _WRITTEN_URL.finditer(text):
        raw = written[0].rstrip(_SENTENCE_END)  # as the auto-linker: no closing punctuation
        url = source[written.start() : written.start() + len(raw)] or written[0]
        authority = re.split(r"[/?#]", raw.split("//", 1)[1], maxsplit=1)[0]
        host = re.sub(r":\d*$", "", authority.rpartition("@")[2])
        site_named = "{{" in host or bool(_SITE_NAME.fullmatch(host))
        broken = _CONTINUED.match(text, written.end())
        if broken and (not site_named or broken[0].lstrip()[0] in "./"):
            shown = source[written.start() : _word_end(text, broken.end())]
            warn(f"{shown} has a space in it, so the link stops there", "remove the space")
            continue
        ok, sentence = check_link(raw, tracking)
        if not ok or not site_named:
            why = sentence.rstrip(".") if not ok else "no site name such as acme.example"
            warn(
                f"{url} is not a complete web address ({why[0].lower()}{why[1:]})",
                "write the whole address, e.g. https://acme.example/pricing",
            )
            continue
        if tracking.enabled and raw.lower().startswith("http:") and tracking.own_domain(host):
            warn(
                f"link to your own site uses http:// ({url})",
                "write https:// so the click is not redirected (and the token kept)",
            )
        linked = AUTO_LINK.match(text, written.start()) if part == "body" else None
        if (
            linked
            and text.startswith(")", linked.end())
            and linked[0].count("(") > linked[0].count(")")
        ):
            warn(
                f"the link {source[written.start() : linked.end() + 1]} ends in a bracket that "
                f"the email leaves out: it goes to {source[linked.start() : linked.end()]}",
                "drop the brackets from the address (or write them as %28 and %29)",
            )
    return findings


def _word_end(text: str, start: int) -> int:
    """Where the non-space run from ``start`` ends, closing punctuation left out."""
    end = start
    while end < len(text) and not text[end].isspace():
        end += 1
    while end > start and text[end - 1] in _SENTENCE_END:
        end -= 1
    return end


def _enrolled_leads(session: Session, sequence_id: int | None) -> list[Lead]:
    if sequence_id is None:
        return []
    return list(
        session.scalars(
            select(Lead)
            .join(Enrollment, Enrollment.lead_id == Lead.id)
            .where(Enrollment.sequence_id == sequence_id, Enrollment.state.in_(LIVE_ENROLLMENT))
        )
    )


def lint_sequence(
    session: Session, sequence: Sequence, version: SequenceVersion | None = None
) -> list[LintFinding]:
    """Findings for a stored sequence (its newest version unless ``version`` is given)."""
    version = version or latest_version(session, sequence)
    document = document_from_version(session, sequence, version)
    return lint_document(session, document, sequence_id=sequence.id)
