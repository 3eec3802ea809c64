"""Constants of the star-tellers domain: the policy it runs, its levels, and the inputs shown beside a
level (the facts behind it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

POLICY_ID = "star_tellers"  # id: of youfu/policies/reference/star_tellers.yaml
POLICY_FILE = "star_tellers.yaml"
SUBJECT = "teller"
LEVEL_VALUE = "star_level"  # the policy's value holding the level, 0 (no star) to MAX_LEVEL
MAX_LEVEL = 5

# Facts recorded by this app (youfu.star_tellers.services.person_findings_record).
FACT_PERSON_FINDINGS = "person_findings"
# The skills score, imported through youfu.facts (技能考核).
FACT_SKILL = "teller_skill_score"

# The inputs and values shown beside a level, in this order: name → label.
SHOWN = {
    "rating_satisfaction_rate": _("Satisfaction rate"),
    "rating_evaluation_rate": _("Evaluation rate"),
    "rating_rated": _("Rated"),
    FACT_SKILL: _("Skills score"),
    FACT_PERSON_FINDINGS: _("Findings"),
}
