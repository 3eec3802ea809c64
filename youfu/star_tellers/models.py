"""A star level is not stored twice: it is the scorecard line (youfu.scoring ScoreLine) of a teller in an
official run of the star_tellers policy, whose value `star_level` is the level and whose amount is the
monthly 200 yuan posted to the ledger. `StarLevel` is a proxy of that line, so the rights to see star
levels and to compute them are permissions of this app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from youfu.scoring.models import ScoreLine


class StarLevel(ScoreLine):
    """星级柜员 — a teller's star level in a month (a scorecard line of the star_tellers policy)."""

    class Meta:
        proxy = True
        verbose_name = _("star level")
        verbose_name_plural = _("star levels")
        permissions = [("compute_starlevel", "Can compute and publish the star levels of a month")]
