"""The scoring model LeadDesk ships with, built from common lead-nurturing figures.

Engagement follows the usual preset: whitepaper download 5, case study 10, webinar registration
15, webinar attendance 25, consultation request 50; replies and meetings count, imported website
visits count a little, and unsubscribing or bouncing takes points away. Fit rewards senior titles,
target industries, company sizes and regions, and event sources; students and interns lose points.
"""

from __future__ import annotations

from leaddesk.activities.kinds import ActivityKind as K
from leaddesk.db.models import ScorePart
from leaddesk.scoring.rules import Operator, Rule, ScoringConfig

FIT = ScorePart.FIT
ENGAGEMENT = ScorePart.ENGAGEMENT


def _fit(name: str, field: str, operator: str, value: str, points: float) -> Rule:
    return Rule(part=FIT, name=name, field=field, operator=operator, value=value, points=points)


def _act(
    name: str,
    kind: str,
    points: float,
    max_count: int | None,
    half_life: float | None,
    *,
    field: str = "",
    value: str = "",
) -> Rule:
    return Rule(
        part=ENGAGEMENT,
        name=name,
        activity_kind=kind,
        points=points,
        max_count=max_count,
        half_life_days=half_life,
        field=field,
        operator=Operator.CONTAINS_ANY,
        value=value,
    )


DEFAULT_RULES: tuple[Rule, ...] = (
    _fit(
        "C-level or founder",
        "title",
        Operator.CONTAINS_ANY,
        "CEO, CFO, COO, CTO, CIO, CMO, CRO, Chief, Founder, Co-founder, Owner, President",
        20,
    ),
    _fit(
        "VP, director or head of",
        "title",
        Operator.CONTAINS_ANY,
        "VP, Vice President, Director, Head of",
        15,
    ),
    _fit("Manager or lead", "title", Operator.CONTAINS_ANY, "Manager, Lead", 5),
    _fit("Student or intern", "title", Operator.CONTAINS_ANY, "Student, Intern, Trainee", -20),
    _fit(
        "Target industry",
        "industry",
        Operator.IN_LIST,
        "Software, Logistics, Manufacturing, Retail, Healthcare, Energy, Insurance",
        10,
    ),
    _fit(
        "Company size 51–1000",
        "company_size",
        Operator.IN_LIST,
        "51-200, 201-500, 501-1000",
        10,
    ),
    _fit("Company size over 1000", "company_size", Operator.IN_LIST, "1001-5000, 5000+", 5),
    _fit(
        "Target region",
        "country",
        Operator.IN_LIST,
        "Germany, France, United Kingdom, Netherlands, United States, Canada, Austria, "
        "Switzerland, Spain",
        5,
    ),
    _fit("Met at an event", "source", Operator.CONTAINS_ANY, "Expo, Summit, Webinar, Fair", 5),
    _fit("Competitor domain", "email_domain", Operator.IN_LIST, "", -50),
    _act("Whitepaper download", K.WHITEPAPER_DOWNLOAD, 5, 3, 60),
    _act("Case study download", K.CASE_STUDY_DOWNLOAD, 10, 3, 60),
    _act("Webinar registration", K.WEBINAR_REGISTERED, 15, 2, 60),
    _act("Webinar attendance", K.WEBINAR_ATTENDED, 25, 2, 60),
    _act("Consultation request", K.CONSULTATION_REQUESTED, 50, 1, 30),
    _act("Email reply", K.REPLIED, 15, 3, 30),
    _act("Meeting", K.MEETING, 20, 2, 30),
    _act("Website visit", K.WEBSITE_VISIT, 2, 10, 14),
    _act("Pricing page visit", K.WEBSITE_VISIT, 5, 2, 14, field="page", value="pricing"),
    # From the team's own web logs (leaddesk import-visits): kept modest, as a click or a page
    # view says less than a reply; a careers page says "job seeker", not "buyer".
    _act("Clicked a link in an email", K.CLICKED_LINK, 3, 3, 30),
    _act("Viewed a page of your site", K.VISITED_PAGE, 1, 10, 14),
    _act(
        "Viewed your pricing",
        K.VISITED_PAGE,
        8,
        1,
        14,
        field="path",
        value="pricing, preise, tarifs",
    ),
    _act(
        "Viewed your careers pages", K.VISITED_PAGE, -10, 1, 30, field="path", value="careers, jobs"
    ),
    _act("Unsubscribed", K.UNSUBSCRIBED, -30, 1, None),
    _act("Bounced", K.BOUNCED, -20, 1, None),
)


def default_config() -> ScoringConfig:
    """The shipped model: the rules above, fit capped at 40, engagement at 60, warm 40, SR 70."""
    return ScoringConfig(
        rules=DEFAULT_RULES,
        fit_cap=40.0,
        engagement_cap=60.0,
        warm_threshold=40.0,
        sales_ready_threshold=70.0,
    )
