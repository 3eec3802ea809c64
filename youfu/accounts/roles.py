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

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SERVICE_OFFICE: VIEW_ORG | MANAGE_ORG | VIEW_AUDIT | MANAGE_USERS,
    Role.INSPECTOR: VIEW_ORG,
    Role.OUTLET_HEAD: VIEW_ORG,
    Role.STAFF: VIEW_ORG,
    Role.COMPLAINT_HANDLER: VIEW_ORG,
    Role.APPRAISAL_PANEL: VIEW_ORG,
    Role.AUDITOR: VIEW_ORG | VIEW_AUDIT | frozenset({"accounts.view_user"}),
}

# Periods are bank-wide calendar windows: only an office at the head office or a branch may create or
# change them, whatever its role (a sub-branch office cannot define windows for the whole bank).
BANK_LEVEL_PERMISSIONS = frozenset({"org.add_period", "org.change_period"})
BANK_LEVEL_UNIT_KINDS = frozenset({"head_office", "branch"})
