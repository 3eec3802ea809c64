from django.urls import path

from youfu.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.inspection_list_page, name="list"),
    path("new/", views.inspection_create, name="create"),
    path("settings/", views.settings_page, name="settings"),
    path("plans/", views.plan_list_page, name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/delete/", views.plan_delete, name="plan_delete"),
    path("import/", views.import_page, name="import"),
    path("appeals/", views.appeal_list_page, name="appeal_list"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("outlets/<int:pk>/", views.outlet_history, name="outlet"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/", views.inspection_detail, name="detail"),
    path("<int:pk>/fill/", views.inspection_fill, name="fill"),
    path("<int:pk>/video/", views.evidence_video, name="video"),
    path("<int:pk>/submit/", views.inspection_submit, name="submit"),
    path("<int:pk>/return/", views.inspection_return, name="return"),
    path("<int:pk>/approve/", views.inspection_approve, name="approve"),
    path("<int:pk>/publish/", views.inspection_publish, name="publish"),
    path("<int:pk>/correct/", views.inspection_correct, name="correct"),
    path("<int:pk>/appeal/", views.appeal_create, name="appeal_create"),
]
