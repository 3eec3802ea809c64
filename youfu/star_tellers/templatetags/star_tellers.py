"""`{% star_teller_panel person %}`: the person's current star level and history on the person page, or
nothing when the viewer may not see it (no right, or the person outside the viewer's subtree)."""

from __future__ import annotations

from typing import Any

from django import template

from youfu.org.choices import Position
from youfu.star_tellers.selectors import person_history

register = template.Library()


@register.inclusion_tag("star_tellers/panel.html", takes_context=True)
def star_teller_panel(context: dict[str, Any], person: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    history = person_history(user=user, person=person) if user is not None else None
    if not history and getattr(person, "position", None) != Position.TELLER:
        history = None  # not a teller and never rated: no panel
    return {"history": history, "current": history[0] if history else None}
