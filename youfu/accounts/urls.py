from django.urls import path

from youfu.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.user_list_page, name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("<int:pk>/password/", views.user_password, name="user_password"),
]
