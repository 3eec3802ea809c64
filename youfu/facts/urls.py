from django.urls import path

from youfu.facts import views

app_name = "facts"

urlpatterns = [
    path("", views.fact_list_page, name="fact_list"),
    path("export/", views.fact_export, name="fact_export"),
    path("import/", views.fact_import, name="fact_import"),
    path("batches/", views.batch_list_page, name="batch_list"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
    path("<int:pk>/", views.fact_detail, name="fact_detail"),
]
