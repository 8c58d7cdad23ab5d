"""The navigation each role sees. Only pages that exist are listed; issues add their pages here."""

from dataclasses import dataclass

from django.urls import reverse

from apps.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_START = NavItem("Start", "site:start")
_ACCOUNT = NavItem("Your account", "accounts:account")
_CHILDREN = NavItem("Children", "children:list")
_HOMES = NavItem("Homes", "homes:list")
_MISSING_NOW = NavItem("Missing now", "episodes:missing_now")
_INTERVIEWS = NavItem("Return interviews", "episodes:interviews")
_ALERTS = NavItem("Alerts", "alerts:list")
_RULES = NavItem("Escalation rules", "alerts:rules")
_MEETINGS = NavItem("Meetings", "strategy_meetings:list")
_MY_ACTIONS = NavItem("My actions", "strategy_meetings:my_actions")
_REG40 = NavItem("Regulation 40", "episodes:reg40_list")
_DASHBOARD = NavItem("Dashboard", "reports:dashboard")
_USERS = NavItem("Users", "accounts:user_list")

NAVIGATION: dict[str, list[NavItem]] = {
    Role.CARE_WORKER: [_START, _MISSING_NOW, _CHILDREN, _HOMES, _MEETINGS, _MY_ACTIONS, _ACCOUNT],
    Role.HOME_MANAGER: [
        _START,
        _MISSING_NOW,
        _DASHBOARD,
        _ALERTS,
        _CHILDREN,
        _HOMES,
        _MEETINGS,
        _MY_ACTIONS,
        _REG40,
        _USERS,
        _ACCOUNT,
    ],
    Role.SOCIAL_WORKER: [
        _START,
        _MISSING_NOW,
        _ALERTS,
        _CHILDREN,
        _MEETINGS,
        _MY_ACTIONS,
        _HOMES,
        _INTERVIEWS,
        _ACCOUNT,
    ],
    Role.RETURN_INTERVIEWER: [_START, _INTERVIEWS, _ACCOUNT],
    Role.POLICE_LIAISON: [
        _START,
        _MISSING_NOW,
        _ALERTS,
        _HOMES,
        _CHILDREN,
        _MEETINGS,
        _MY_ACTIONS,
        _ACCOUNT,
    ],
    Role.SERVICE_MANAGER: [
        _START,
        _MISSING_NOW,
        _DASHBOARD,
        _ALERTS,
        _CHILDREN,
        _MEETINGS,
        _MY_ACTIONS,
        _HOMES,
        _INTERVIEWS,
        _RULES,
        _ACCOUNT,
    ],
    Role.ADMINISTRATOR: [_START, _USERS, _HOMES, _ACCOUNT],
}


def navigation_for(user) -> list[NavItem]:
    if not getattr(user, "is_authenticated", False):
        return []
    return NAVIGATION.get(user.role, [_START, _ACCOUNT])
