from django.urls import path

from youfu.feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.rates_page, name="rates"),
    path("export/", views.rates_export_view, name="rates_export"),
    path("batches/", views.batch_list_page, name="batch_list"),
    path("batches/upload/", views.batch_upload, name="batch_upload"),
    path("batches/<int:pk>/", views.batch_detail, name="batch_detail"),
]
