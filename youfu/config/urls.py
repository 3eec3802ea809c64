from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

handler500 = "youfu.api.errors.server_error"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("youfu.api.urls")),
    path("org/", include("youfu.org.urls")),
    path("facts/", include("youfu.facts.urls")),
    path("feedback/", include("youfu.feedback.urls")),
    path("reports/", include("youfu.reports.urls")),
    path("scoring/", include("youfu.scoring.urls")),
    path("appraisal/", include("youfu.appraisal.urls")),
    path("performance-pay/", include("youfu.performance_pay.urls")),
    path("star-tellers/", include("youfu.star_tellers.urls")),
    path("standards/", include("youfu.standards.urls")),
    path("inspections/", include("youfu.inspections.urls")),
    path("complaints/", include("youfu.complaints.urls")),
    path("notifications/", include("youfu.notifications.urls")),
    path("rectification/", include("youfu.rectification.urls")),
    path("audit/", include("youfu.audit.urls")),
    path("users/", include("youfu.accounts.urls")),
    path("", include("youfu.web.urls")),
]
