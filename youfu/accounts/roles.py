"""What each role may do. Permissions are Django permission strings ("app.action_model"), checked
with user.has_perm(); *where* a user may do it (their subtree) is youfu.accounts.access."""

from __future__ import annotations

from youfu.accounts.choices import Role

VIEW_ORG = frozenset({"org.view_unit", "org.view_person", "org.view_personmove", "org.view_period"})
MANAGE_ORG = frozenset(
    {
        "org.add_unit",
        "org.change_unit",
        "org.add_person",
        "org.change_person",
        "org.add_personmove",
        "org.add_period",
        "org.change_period",
        "org.import_org",
    }
)
VIEW_AUDIT = frozenset({"auditlog.view_logentry"})
MANAGE_USERS = frozenset({"accounts.view_user", "accounts.add_user", "accounts.change_user"})
# Indicator data (youfu.facts): the service office imports and records it; inspectors, outlet heads,
# the appraisal panel and auditors read it within their subtree (an outlet head: their own outlet).
VIEW_FACTS = frozenset({"facts.view_fact", "facts.view_factbatch"})
MANAGE_FACTS = frozenset({"facts.add_fact", "facts.import_facts"})
# Checklists (youfu.standards): the service office writes and publishes them; everyone else reads the
# standards of their line (their subtree's and those above them).
VIEW_STANDARDS = frozenset(
    {
        "standards.view_standard",
        "standards.view_standardversion",
        "standards.view_section",
        "standards.view_item",
    }
)
MANAGE_STANDARDS = frozenset(
    {
        "standards.add_standard",
        "standards.change_standard",
        "standards.add_standardversion",
        "standards.change_standardversion",
        "standards.add_section",
        "standards.change_section",
        "standards.delete_section",
        "standards.add_item",
        "standards.change_item",
        "standards.delete_item",
    }
)

# Scoring (youfu.scoring): rankings and their explanations, read within the user's subtree (runs are
# bank-wide, their lines are not); the service office uploads policies, scores and publishes periods —
# of the head office or a branch only (BANK_LEVEL_PERMISSIONS).
VIEW_SCORING = frozenset({"scoring.view_policyversion", "scoring.view_scorerun", "scoring.view_scoreline"})
MANAGE_SCORING = frozenset({"scoring.add_policyversion", "scoring.add_scorerun", "scoring.publish_scorerun"})

# Inspections (youfu.inspections): inspectors create, fill and submit checks; the service office also
# approves (never its own: four eyes), publishes, corrects and decides appeals; the outlet head
# reads their outlet's published checks and appeals them; the appraisal panel and auditors read.
VIEW_INSPECTIONS = frozenset(
    {
        "inspections.view_inspection",
        "inspections.view_finding",
        "inspections.view_appeal",
    }
)
DO_INSPECTIONS = frozenset(
    {"inspections.add_inspection", "inspections.change_inspection", "inspections.submit_inspection"}
)
MANAGE_INSPECTIONS = frozenset(
    {
        "inspections.approve_inspection",
        "inspections.publish_inspection",
        "inspections.correct_inspection",
        "inspections.import_inspections",
        "inspections.decide_appeal",
        "inspections.change_inspectionsettings",
    }
)
APPEAL_INSPECTIONS = frozenset({"inspections.add_appeal"})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SERVICE_OFFICE: VIEW_ORG
    | MANAGE_ORG
    | VIEW_AUDIT
    | MANAGE_USERS
    | VIEW_FACTS
    | MANAGE_FACTS
    | VIEW_STANDARDS
    | MANAGE_STANDARDS
    | VIEW_SCORING
    | MANAGE_SCORING
    | VIEW_INSPECTIONS
    | DO_INSPECTIONS
    | MANAGE_INSPECTIONS,
    Role.INSPECTOR: VIEW_ORG | VIEW_FACTS | VIEW_STANDARDS | VIEW_SCORING | VIEW_INSPECTIONS | DO_INSPECTIONS,
    Role.OUTLET_HEAD: VIEW_ORG
    | VIEW_FACTS
    | VIEW_STANDARDS
    | VIEW_SCORING
    | VIEW_INSPECTIONS
    | APPEAL_INSPECTIONS,
    Role.STAFF: VIEW_ORG | VIEW_STANDARDS,
    Role.COMPLAINT_HANDLER: VIEW_ORG | VIEW_STANDARDS,
    Role.APPRAISAL_PANEL: VIEW_ORG | VIEW_FACTS | VIEW_STANDARDS | VIEW_SCORING | VIEW_INSPECTIONS,
    Role.AUDITOR: VIEW_ORG
    | VIEW_AUDIT
    | frozenset({"accounts.view_user"})
    | VIEW_FACTS
    | VIEW_STANDARDS
    | VIEW_SCORING
    | VIEW_INSPECTIONS,
}

# Periods are bank-wide calendar windows: only an office at the head office or a branch may create or
# change them, whatever its role (a sub-branch office cannot define windows for the whole bank).
BANK_LEVEL_PERMISSIONS = (
    frozenset({"org.add_period", "org.change_period", "inspections.change_inspectionsettings"})
    | MANAGE_SCORING
)
BANK_LEVEL_UNIT_KINDS = frozenset({"head_office", "branch"})
