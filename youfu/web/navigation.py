"""The side navigation, defined in one place. Later apps add their entries from AppConfig.ready():

    from youfu.web.navigation import NavItem, register
    register(NavItem(key="inspections", label=_("Inspections"), url_name="inspections:list",
                     icon="clipboard-check", perm="inspections.view_inspection", order=40))

An entry shows only to users holding its permission; the page behind it still checks scope itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str | Promise
    url_name: str
    icon: str = ""  # a symbol of web/static/web/icons.svg, without the "i-" prefix
    perm: str | None = None
    order: int = 100
    external: bool = False  # opens in a new tab (API docs), never marked active


@dataclass(frozen=True)
class NavLink:
    item: NavItem
    url: str
    active: bool


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    """Add or replace (by key) a navigation entry."""
    _registry[item.key] = item


def unregister(key: str) -> None:
    _registry.pop(key, None)


def registered() -> list[NavItem]:
    return sorted(_registry.values(), key=lambda item: (item.order, item.key))


def links_for(request: Any) -> list[NavLink]:
    """The entries this user may see, with their URL and whether the current page belongs to them."""
    user = request.user
    links = []
    for item in registered():
        if item.perm and not user.has_perm(item.perm):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:  # an app that registered an entry but is not routed in this deployment
            continue
        if item.external:
            active = False
        elif url == "/":
            active = request.path == "/"
        else:
            active = request.path.startswith(url)
        links.append(NavLink(item=item, url=url, active=active))
    # One entry is the current one: the longest address the page lies under (/feedback/callbacks/
    # rather than /feedback/).
    current = max((len(link.url) for link in links if link.active), default=0)
    return [
        NavLink(item=link.item, url=link.url, active=link.active and len(link.url) == current)
        for link in links
    ]


register(NavItem(key="dashboard", label=_("Overview"), url_name="web:dashboard", icon="house", order=0))
register(NavItem(key="org", label=_("Organisation"), url_name="org:unit_tree", icon="diagram-3", order=10))
register(NavItem(key="people", label=_("People"), url_name="org:person_list", icon="people", order=20))
register(
    NavItem(
        key="periods",
        label=_("Periods"),
        url_name="org:period_list",
        icon="calendar3",
        perm="org.view_period",
        order=30,
    )
)
register(
    NavItem(
        key="users",
        label=_("Users and roles"),
        url_name="accounts:user_list",
        icon="person-gear",
        perm="accounts.view_user",
        order=800,
    )
)
register(
    NavItem(
        key="audit",
        label=_("Audit trail"),
        url_name="audit:log_list",
        icon="clock-history",
        perm="auditlog.view_logentry",
        order=900,
    )
)
register(
    NavItem(
        key="api_docs",
        label=_("API docs"),
        url_name="api:docs",
        icon="file-earmark-code",
        order=950,
        external=True,
    )
)
