from django.urls import path

from youfu.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("kpi/<str:kpi>/", views.kpi_detail, name="kpi"),
    path("outlet/<int:pk>/", views.outlet, name="outlet"),
    path("export/<str:what>/", views.export, name="export"),
    path("targets/", views.targets, name="targets"),
    path("queue/upload/", views.queue_upload, name="queue_upload"),
    path("diversion/upload/", views.diversion_upload, name="diversion_upload"),
    path("diversion/template/", views.diversion_template_view, name="diversion_template"),
]
