"""Handing sales-ready leads to a rep: the team, routing, the SLA clock, the brief, alerts.

Qt-free. The modules, from the bottom up: :mod:`~leaddesk.handoff.schedule` (working hours and
SLA deadlines), :mod:`~leaddesk.handoff.team` (members), :mod:`~leaddesk.handoff.identity` (who
this copy of the app acts as), :mod:`~leaddesk.handoff.config` (team-wide hand-off settings),
:mod:`~leaddesk.handoff.routing` (assignment rules), :mod:`~leaddesk.handoff.service` (the
hand-off and what sales does with it), :mod:`~leaddesk.handoff.timers` (breach, escalation,
catch-up), :mod:`~leaddesk.handoff.brief` and :mod:`~leaddesk.handoff.alerts`.
"""
