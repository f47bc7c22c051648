"""The lead brief as HTML (Brief tab, alert email, export) and as plain text (the email's text).

Everything from the lead is escaped: a name or a booth note can never add markup.
"""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from leaddesk.handoff.brief import LeadBrief
from leaddesk.handoff.schedule import ScheduleError, parse_zone
from leaddesk.scoring.display import display_score, score_sum_text

BAND_WORDS = {"cold": "cold", "warm": "warm", "sales_ready": "sales-ready"}
STYLE = (
    "body{font-family:sans-serif;font-size:10pt;color:#1f2933}"
    "h1{font-size:15pt;margin:0 0 2px 0}h2{font-size:11pt;margin:14px 0 4px 0;color:#334e68}"
    "td{padding:1px 10px 1px 0;vertical-align:top}.muted{color:#627d98}"
    ".opener{background:#f0f4f8;padding:6px 8px}"
)


def zone_or_none(name: str | None) -> ZoneInfo | None:
    """The time zone called ``name``, or None when it is empty or unknown."""
    try:
        return parse_zone(name) if name else None
    except ScheduleError:
        return None


def format_when(value: datetime | None, zone: ZoneInfo | None, fmt: str = "%d %b %Y %H:%M") -> str:
    """``value`` in ``zone`` (UTC, said so, when there is none); "" for no value."""
    if value is None:
        return ""
    return value.astimezone(zone).strftime(fmt) if zone else value.strftime(fmt + " UTC")


def _e(value: object) -> str:
    return html.escape(str(value or ""))


def _rows(pairs: list[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td class='muted'>{_e(k)}</td><td>{_e(v)}</td></tr>" for k, v in pairs if v
    )
    return f"<table>{cells}</table>"


def _profile(brief: LeadBrief) -> list[tuple[str, str]]:
    place = ", ".join(p for p in (brief.city, brief.country) if p)
    local = f"{brief.local_time} ({brief.timezone})" if brief.local_time else "unknown"
    if brief.time_note:
        local += f" — {brief.time_note}"
    return [
        ("Title", brief.title),
        ("Company", brief.company),
        ("Industry", brief.industry),
        ("Size", brief.company_size),
        ("Email", brief.email),
        ("Phone", brief.phone or "—"),
        ("Where", place),
        ("Their time now", local),
        ("Owner", brief.owner),
    ]


def band_text(brief: LeadBrief) -> str:
    """The score band in words, with the threshold: "sales-ready band (from 70)"."""
    threshold = f"{brief.sales_ready_threshold:g}"
    if brief.band == "sales_ready":
        return f"sales-ready band (from {threshold})"
    return f"{BAND_WORDS.get(brief.band, brief.band)} band (sales-ready from {threshold})"


def brief_html(brief: LeadBrief, *, viewer_zone: str | None = None, standalone: bool = True) -> str:
    """The brief as an HTML document (``standalone`` False: the body only, for a text view)."""
    zone = zone_or_none(viewer_zone)
    parts = [
        f"<h1>{_e(brief.name)}</h1>",
        f"<div class='muted'>{_e(brief.title)}{' · ' if brief.title else ''}{_e(brief.company)}"
        "</div>",
        "<h2>Why now</h2>",
        f"<p><b>Score {display_score(brief.score)}</b> — {_e(band_text(brief))} — "
        f"{score_sum_text(brief.fit, brief.engagement, brief.score)}.</p>",
    ]
    if brief.qualified_why:
        parts.append(f"<p>{_e(brief.qualified_why)}.</p>")
    if brief.tipping:
        parts.append(f"<p>Tipped over by: <b>{_e(brief.tipping)}</b></p>")
    if brief.reasons:
        items = "".join(f"<li>{_e(text)} (+{points:.0f})</li>" for text, points in brief.reasons)
        parts.append(f"<p>Top reasons:</p><ul>{items}</ul>")
    if brief.due_at:
        parts.append(f"<p>First follow-up due: <b>{_e(format_when(brief.due_at, zone))}</b></p>")
    parts += [
        "<h2>Suggested opener</h2>",
        f"<p class='opener'>{_e(brief.opener)}<br><span class='muted'>{_e(brief.opener_rule)}"
        "</span></p>",
        "<h2>Who</h2>",
        _rows(_profile(brief)),
        "<h2>Where from</h2>",
        _rows(
            [
                ("Source / event", brief.source or "—"),
                ("First touch", format_when(brief.first_touch, zone, "%d %b %Y")),
                (
                    "Days in nurture",
                    "—" if brief.days_in_nurture is None else str(brief.days_in_nurture),
                ),
                ("Touches", f"{brief.touches} (emails sent, calls, meetings, attempts)"),
            ]
        ),
    ]
    parts.append("<h2>What they engaged with</h2>")
    if brief.consumed:
        lines = "".join(
            f"<tr><td class='muted'>{_e(format_when(line.when, zone, '%d %b %Y'))}</td>"
            f"<td>{_e(line.label)}{' — ' + _e(line.detail) if line.detail else ''}</td></tr>"
            for line in brief.consumed
        )
        parts.append(f"<table>{lines}</table>")
    else:
        parts.append("<p class='muted'>No downloads, webinars or visits recorded yet.</p>")
    parts.append("<h2>Emails sent</h2>")
    if brief.emails:
        lines = "".join(
            f"<tr><td class='muted'>{_e(format_when(mail.sent_at, zone, '%d %b %Y'))}</td>"
            f"<td>{_e(mail.subject)}</td><td class='muted'>{_e(mail.step)}</td>"
            f"<td>{_e(mail.outcome)}</td></tr>"
            for mail in brief.emails
        )
        parts.append(f"<table>{lines}</table>")
    else:
        parts.append("<p class='muted'>LeadDesk has not emailed this lead.</p>")
    if brief.replies:
        parts.append("<h2>Their replies</h2>")
        parts.append(
            "".join(
                f"<p><span class='muted'>{_e(format_when(r.when, zone, '%d %b %Y'))}</span> "
                f"“{_e(r.detail)}”</p>"
                for r in brief.replies
            )
        )
    if brief.deals:
        parts.append("<h2>Deals</h2>")
        parts.append("".join(f"<p>{_e(line)}</p>" for line in brief.deals))
    if len(brief.handoffs) > 1 or (brief.handoffs and brief.handoffs[0].state == "closed"):
        parts.append("<h2>Hand-offs</h2>")
        lines = "".join(
            f"<tr><td class='muted'>{_e(format_when(h.handed_off_at, zone, '%d %b %Y'))}</td>"
            f"<td>{_e(h.owner)}</td><td>{_e(h.outcome)}</td><td class='muted'>SLA {_e(h.sla)}"
            "</td></tr>"
            for h in brief.handoffs
        )
        parts.append(f"<table>{lines}</table>")
    made = format_when(brief.generated_at, zone)
    parts.append(f"<p class='muted'>Brief made by LeadDesk on {_e(made)}.</p>")
    body = "\n".join(parts)
    if not standalone:
        return f"<style>{STYLE}</style>{body}"
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'>"
        f"<title>Lead brief: {_e(brief.name)}</title><style>{STYLE}</style></head>"
        f"<body>\n{body}\n</body></html>\n"
    )


def brief_text(brief: LeadBrief, *, viewer_zone: str | None = None) -> str:
    """The brief as plain text (the text part of the alert email)."""
    zone = zone_or_none(viewer_zone)
    lines = [
        brief.name,
        " · ".join(p for p in (brief.title, brief.company) if p),
        "",
        f"WHY NOW: score {display_score(brief.score)} — {band_text(brief)} — "
        f"{score_sum_text(brief.fit, brief.engagement, brief.score)}",
    ]
    if brief.qualified_why:
        lines.append(brief.qualified_why + ".")
    if brief.tipping:
        lines.append(f"Tipped over by: {brief.tipping}")
    lines += [f"  + {points:.0f}  {text}" for text, points in brief.reasons]
    if brief.due_at:
        lines.append(f"First follow-up due: {format_when(brief.due_at, zone)}")
    lines += ["", f"SUGGESTED OPENER: {brief.opener}", f"({brief.opener_rule})", "", "WHO"]
    lines += [f"  {k}: {v}" for k, v in _profile(brief) if v]
    lines += ["", "WHERE FROM", f"  Source / event: {brief.source or '—'}"]
    lines.append(f"  First touch: {format_when(brief.first_touch, zone, '%d %b %Y')}")
    if brief.days_in_nurture is not None:
        lines.append(f"  Days in nurture: {brief.days_in_nurture}")
    lines.append(f"  Touches: {brief.touches}")
    if brief.consumed:
        lines += ["", "WHAT THEY ENGAGED WITH"]
        for c in brief.consumed:
            detail = f" — {c.detail}" if c.detail else ""
            lines.append(f"  {format_when(c.when, zone, '%d %b %Y')}  {c.label}{detail}")
    if brief.emails:
        lines += ["", "EMAILS SENT"]
        lines += [
            f"  {format_when(m.sent_at, zone, '%d %b %Y')}  {m.subject}  [{m.step}]  {m.outcome}"
            for m in brief.emails
        ]
    if brief.deals:
        lines += ["", "DEALS", *(f"  {line}" for line in brief.deals)]
    if brief.replies:
        lines += ["", "THEIR REPLIES"]
        lines += [f"  {format_when(r.when, zone, '%d %b %Y')}  “{r.detail}”" for r in brief.replies]
    return "\n".join(lines).strip() + "\n"
