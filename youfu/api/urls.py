"""/api/v1: every endpoint of the REST API. Viewsets live in each app's api.py; this module only routes."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from youfu.accounts.api import MeView, TokenView, UserViewSet
from youfu.api.views import not_found
from youfu.audit.api import LogEntryViewSet
from youfu.org.api import PeriodViewSet, PersonViewSet, UnitViewSet

app_name = "api"

router = SimpleRouter()
router.register("units", UnitViewSet, basename="unit")
router.register("people", PersonViewSet, basename="person")
router.register("periods", PeriodViewSet, basename="period")
router.register("audit", LogEntryViewSet, basename="audit")
router.register("users", UserViewSet, basename="user")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("me/", MeView.as_view(), name="me"),
    # Files are named by their extension, without the trailing slash of the other endpoints.
    path("units/export.xlsx", UnitViewSet.as_view({"get": "export"}), name="unit-export"),
    path("people/export.xlsx", PersonViewSet.as_view({"get": "export"}), name="person-export"),
    *router.urls,
    # Indicator data (youfu.facts): its own routes, under /api/v1/facts/.
    path("facts/", include("youfu.facts.api")),
    # Customer satisfaction (youfu.feedback): rating batches and rates, under /api/v1/feedback/.
    path("feedback/", include("youfu.feedback.api")),
    # Service KPIs (youfu.reports): KPI values and targets, under /api/v1/reports/.
    path("reports/", include("youfu.reports.api")),
    # Scoring (youfu.scoring): policies, runs, rankings, explanations, what-if, under /api/v1/scoring/.
    path("scoring/", include("youfu.scoring.api")),
    # Staff appraisal (youfu.appraisal): cycles, forms, ratings, ballots, results, appeals.
    path("appraisal/", include("youfu.appraisal.api")),
    # Performance pay (youfu.performance_pay): pay pools, imports, allocation, payroll sheet.
    path("performance-pay/", include("youfu.performance_pay.api")),
    # Star tellers (youfu.star_tellers): star levels per month, a person's history, compute.
    path("star-tellers/", include("youfu.star_tellers.api")),
    # Checklists (youfu.standards): its own routes, under /api/v1/standards/.
    path("standards/", include("youfu.standards.api")),
    # Inspections (youfu.inspections): checks, evidence, workflow, appeals, under /api/v1/inspections/.
    path("inspections/", include("youfu.inspections.api")),
    # Complaints and praise (youfu.complaints): intake, handling, verdicts, SLA board: /api/v1/complaints/.
    path("complaints/", include("youfu.complaints.api")),
    # Notifications (youfu.notifications): the caller's own inbox, under /api/v1/notifications/.
    path("notifications/", include("youfu.notifications.api")),
    # Rectification (youfu.rectification): follow-up of findings, under /api/v1/rectification/.
    path("rectification/", include("youfu.rectification.api")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/v1/ answers in the API's error shape, not with an HTML page.
    re_path(r"^.*$", not_found, name="not-found"),
]
