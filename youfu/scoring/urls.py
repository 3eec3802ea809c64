from django.urls import path

from youfu.scoring import views

app_name = "scoring"

urlpatterns = [
    path("", views.run_list_page, name="run_list"),
    path("score/", views.run_score, name="run_score"),
    path("what-if/", views.run_what_if, name="run_what_if"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/export/", views.run_export, name="run_export"),
    path("runs/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("runs/<int:pk>/diff/", views.run_diff, name="run_diff"),
    path("runs/<int:run_pk>/lines/<int:line_pk>/", views.line_detail, name="line_detail"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/upload/", views.policy_upload, name="policy_upload"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
]
