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
        "inspections.view_inspectionplan",
        "inspections.view_plannedvisit",
        "inspections.view_outletlocation",
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
        "inspections.add_inspectionplan",
        "inspections.delete_inspectionplan",
        "inspections.change_outletlocation",
    }
)
APPEAL_INSPECTIONS = frozenset({"inspections.add_appeal"})

# Complaints and praise (youfu.complaints): complaint handlers (客服) and the service office register,
# handle, judge and import them and may reveal a customer's contact (logged); the outlet head registers
# on-site cases and handles their own; the appraisal panel and auditors read (contacts stay masked).
VIEW_COMPLAINTS = frozenset({"complaints.view_complaint"})
HANDLE_COMPLAINTS = frozenset(
    {"complaints.add_complaint", "complaints.change_complaint", "complaints.handle_complaint"}
)
MANAGE_COMPLAINTS = frozenset(
    {"complaints.judge_complaint", "complaints.reveal_contact", "complaints.import_complaints"}
)

# Customer satisfaction (youfu.feedback): the service office loads evaluator ratings and records their
# rates as indicator data; outlet heads, the appraisal panel and auditors read the rates of their subtree.
VIEW_FEEDBACK = frozenset({"feedback.view_ratingbatch", "feedback.view_rates"})
MANAGE_FEEDBACK = frozenset({"feedback.add_ratingbatch", "feedback.record_rating_facts"})

# Service KPIs (youfu.reports): the service office loads queue and diversion data, sets KPI targets and
# records KPI values as indicator data; outlet heads, the appraisal panel and auditors read the dashboard
# of their subtree.
VIEW_REPORTS = frozenset({"reports.view_dashboard"})
MANAGE_REPORTS = frozenset(
    {
        "reports.add_queuebatch",
        "reports.add_diversionbatch",
        "reports.change_kpitarget",
        "reports.record_kpi_facts",
    }
)
# Callbacks and surveys (youfu.feedback): the service office draws and makes the callbacks, runs the
# surveys and records their results; outlet heads also record survey answers on a customer's behalf.
VIEW_SATISFACTION = frozenset({"feedback.view_callbackdraw", "feedback.view_survey"})
MANAGE_SATISFACTION = frozenset(
    {
        "feedback.make_callback",
        "feedback.record_callback_facts",
        "feedback.add_survey",
        "feedback.change_survey",
        "feedback.add_surveyresponse",
        "feedback.record_survey_facts",
    }
)
RECORD_SURVEYS = frozenset({"feedback.add_surveyresponse"})

# Staff appraisal (youfu.appraisal): everyone appraised fills their own forms and appeals their grade;
# outlet heads and the service office rate as direct supervisor; the service office opens and closes
# cycles and imports attendance; the appraisal panel scores the quarter and decides appeals. Seeing
# other people's forms and results (OVERSEE_APPRAISAL) is for supervisors, the panel and auditors.
OWN_APPRAISAL = frozenset({"appraisal.view_monthlyform", "appraisal.add_appeal"})
OVERSEE_APPRAISAL = frozenset(
    {
        "appraisal.view_cycle",
        "appraisal.view_monthlyform",
        "appraisal.view_quarterresult",
        "appraisal.view_appeal",
        "appraisal.view_review",
    }
)
RATE_APPRAISAL = frozenset({"appraisal.rate_supervisor"})
MANAGE_APPRAISAL = frozenset(
    {
        "appraisal.add_cycle",
        "appraisal.close_cycle",
        "appraisal.import_adjustments",
        "appraisal.rate_supervisor",
    }
)
PANEL_APPRAISAL = frozenset({"appraisal.rate_panel", "appraisal.decide_appeal"})

# Performance pay (youfu.performance_pay): the service office creates pools, imports balances and
# salaries and computes the allocation in its subtree; the appraisal panel and auditors read whole
# pools; everyone appraised sees their own line only.
OWN_PAY = frozenset({"performance_pay.view_own_pay"})
VIEW_PAY = frozenset({"performance_pay.view_pool"})
MANAGE_PAY = frozenset(
    {"performance_pay.add_pool", "performance_pay.import_pay_inputs", "performance_pay.compute_pool"}
)

# Rectification (youfu.rectification): the outlet (its head, its staff, the responsible person) opens,
# works on and submits; inspectors re-inspect (verify or reject); the service office also closes; the
# appraisal panel and auditors read.
VIEW_RECTIFICATION = frozenset(
    {"rectification.view_rectification", "rectification.view_rectificationevidence"}
)
WORK_RECTIFICATION = frozenset({"rectification.add_rectification", "rectification.change_rectification"})
VERIFY_RECTIFICATION = frozenset({"rectification.verify_rectification"})
MANAGE_RECTIFICATION = VERIFY_RECTIFICATION | frozenset({"rectification.close_rectification"})

# Star tellers (youfu.star_tellers): star levels and their inputs, read within the user's subtree by those
# who read scoring; the service office of the head office or a branch computes and publishes a month
# (the 200 yuan goes to the ledger bank-wide, like any scoring run: BANK_LEVEL_PERMISSIONS).
VIEW_STAR_TELLERS = frozenset({"star_tellers.view_starlevel"})
MANAGE_STAR_TELLERS = frozenset({"star_tellers.compute_starlevel"})

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.SERVICE_OFFICE: VIEW_ORG
    | OWN_APPRAISAL
    | OWN_PAY
    | VIEW_PAY
    | MANAGE_PAY
    | OVERSEE_APPRAISAL
    | MANAGE_APPRAISAL
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
    | MANAGE_INSPECTIONS
    | VIEW_RECTIFICATION
    | WORK_RECTIFICATION
    | MANAGE_RECTIFICATION
    | VIEW_COMPLAINTS
    | HANDLE_COMPLAINTS
    | MANAGE_COMPLAINTS
    | VIEW_FEEDBACK
    | VIEW_REPORTS
    | VIEW_SATISFACTION
    | MANAGE_FEEDBACK
    | MANAGE_REPORTS
    | MANAGE_SATISFACTION
    | VIEW_STAR_TELLERS
    | MANAGE_STAR_TELLERS,
    Role.INSPECTOR: VIEW_ORG
    | OWN_APPRAISAL
    | OWN_PAY
    | VIEW_FACTS
    | VIEW_STANDARDS
    | VIEW_SCORING
    | VIEW_INSPECTIONS
    | DO_INSPECTIONS
    | VIEW_RECTIFICATION
    | VERIFY_RECTIFICATION
    | VIEW_STAR_TELLERS,
    Role.OUTLET_HEAD: VIEW_ORG
    | OWN_APPRAISAL
    | OWN_PAY
    | OVERSEE_APPRAISAL
    | RATE_APPRAISAL
    | VIEW_FACTS
    | VIEW_STANDARDS
    | VIEW_SCORING
    | VIEW_INSPECTIONS
    | APPEAL_INSPECTIONS
    | VIEW_RECTIFICATION
    | WORK_RECTIFICATION
    | VIEW_COMPLAINTS
    | HANDLE_COMPLAINTS
    | VIEW_FEEDBACK
    | VIEW_REPORTS
    | VIEW_SATISFACTION
    | RECORD_SURVEYS
    | VIEW_STAR_TELLERS,
    Role.STAFF: VIEW_ORG
    | OWN_APPRAISAL
    | OWN_PAY
    | VIEW_STANDARDS
    | VIEW_RECTIFICATION
    | frozenset({"rectification.change_rectification"}),
    Role.COMPLAINT_HANDLER: VIEW_ORG
    | OWN_APPRAISAL
    | OWN_PAY
    | VIEW_STANDARDS
    | VIEW_COMPLAINTS
    | HANDLE_COMPLAINTS
    | MANAGE_COMPLAINTS,
    Role.APPRAISAL_PANEL: VIEW_ORG
    | OWN_APPRAISAL
    | OWN_PAY
    | VIEW_PAY
    | OVERSEE_APPRAISAL
    | PANEL_APPRAISAL
    | VIEW_FACTS
    | VIEW_STANDARDS
    | VIEW_SCORING
    | VIEW_INSPECTIONS
    | VIEW_RECTIFICATION
    | VIEW_COMPLAINTS
    | VIEW_FEEDBACK
    | VIEW_REPORTS
    | VIEW_SATISFACTION
    | VIEW_STAR_TELLERS,
    Role.AUDITOR: VIEW_ORG
    | OVERSEE_APPRAISAL
    | VIEW_PAY
    | VIEW_AUDIT
    | frozenset({"accounts.view_user"})
    | VIEW_FACTS
    | VIEW_STANDARDS
    | VIEW_SCORING
    | VIEW_INSPECTIONS
    | VIEW_RECTIFICATION
    | VIEW_COMPLAINTS
    | VIEW_FEEDBACK
    | VIEW_REPORTS
    | VIEW_SATISFACTION
    | VIEW_STAR_TELLERS,
}

# Periods are bank-wide calendar windows: only an office at the head office or a branch may create or
# change them, whatever its role (a sub-branch office cannot define windows for the whole bank).
BANK_LEVEL_PERMISSIONS = (
    frozenset({"org.add_period", "org.change_period", "inspections.change_inspectionsettings"})
    | MANAGE_SCORING
    | MANAGE_STAR_TELLERS
)
BANK_LEVEL_UNIT_KINDS = frozenset({"head_office", "branch"})
