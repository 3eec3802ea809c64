from django.urls import path

from youfu.appraisal import views

app_name = "appraisal"

urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("forms/<int:pk>/", views.form_detail, name="form"),
    path("cycles/", views.cycle_list, name="cycles"),
    path("cycles/new/", views.cycle_create, name="cycle_create"),
    path("cycles/<int:pk>/", views.cycle_board, name="cycle"),
    path("cycles/<int:pk>/close/", views.cycle_close, name="cycle_close"),
    path("cycles/<int:pk>/import/", views.cycle_import, name="cycle_import"),
    path("cycles/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("reviews/<int:pk>/", views.review_detail, name="review"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("appeals/", views.appeal_list, name="appeals"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal"),
    path("people/<int:pk>/", views.person_history, name="person"),
]
