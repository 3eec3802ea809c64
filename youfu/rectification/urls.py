from django.urls import path

from youfu.rectification import views

app_name = "rectification"

urlpatterns = [
    path("", views.rectification_list, name="list"),
    path("overdue/", views.overdue_board, name="overdue"),
    path("outlets/<int:pk>/", views.outlet_history, name="outlet"),
    path("open/<int:finding>/", views.rectification_open, name="open"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/", views.rectification_detail, name="detail"),
    path("<int:pk>/start/", views.rectification_start, name="start"),
    path("<int:pk>/evidence/", views.rectification_evidence, name="evidence"),
    path("<int:pk>/meeting/", views.rectification_meeting, name="meeting"),
    path("<int:pk>/submit/", views.rectification_submit, name="submit"),
    path("<int:pk>/verify/", views.rectification_verify, name="verify"),
    path("<int:pk>/reject/", views.rectification_reject, name="reject"),
    path("<int:pk>/close/", views.rectification_close, name="close"),
    path("<int:pk>/resolve/", views.rectification_resolve, name="resolve"),
]
