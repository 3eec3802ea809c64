from django.urls import path

from youfu.complaints import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list_page, name="list"),
    path("new/", views.complaint_create, name="create"),
    path("queue/", views.queue_page, name="queue"),
    path("board/", views.board_page, name="board"),
    path("rates/", views.rates_page, name="rates"),
    path("import/", views.import_page, name="import"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/contact/", views.complaint_reveal, name="reveal"),
    path("<int:pk>/<slug:action>/", views.complaint_action, name="action"),
]
