from django.urls import path

from youfu.star_tellers import views

app_name = "star_tellers"

urlpatterns = [
    path("", views.star_list_page, name="list"),
    path("compute/", views.compute, name="compute"),
]
