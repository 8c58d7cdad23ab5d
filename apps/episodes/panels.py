"""What apps.episodes shows on the pages of apps.children, which may not import it
(apps/core/panels.py; registered in EpisodesConfig.ready())."""

from apps.core.panels import register_panel
from apps.episodes import access, selectors
from apps.episodes.models import EpisodeKind, RiskGrade

RISK_TAGS = {
    RiskGrade.HIGH: "govuk-tag--red",
    RiskGrade.MEDIUM: "govuk-tag--orange",
    RiskGrade.LOW: "govuk-tag--yellow",
    RiskGrade.VERY_LOW: "govuk-tag--green",
}


def child_status(request, *, child) -> dict:
    """The child's status at the top of their summary: while an episode is open, a banner
    (missing or away since when, time gone, police risk grade) with "Add an update" and
    "Record the return"; otherwise the "Report missing" button. One query."""
    user = request.user
    episode = selectors.child_open_episode(user, child)
    if episode is None:
        return {
            "episode": None,
            "can_report": child.current_placement is not None
            and access.can_log_episode(user, child),
        }
    episode.child = child
    return {
        "episode": episode,
        "missing": episode.kind == EpisodeKind.MISSING,
        "risk_label": episode.get_risk_grade_display() if episode.risk_grade else "Not graded",
        "risk_tag": RISK_TAGS.get(episode.risk_grade, "govuk-tag--grey"),
        "can_update": access.can_update_episode(user, episode),
        "can_record_return": access.can_record_return(user, episode),
    }


def register() -> None:
    register_panel(
        page="children:detail",
        slot="status",
        template="episodes/_child_status.html",
        context=child_status,
    )
