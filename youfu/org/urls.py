from django.urls import path

from youfu.org import views

app_name = "org"

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/suggest/", views.unit_suggest, name="unit_suggest"),
    path("units/export/", views.unit_export, name="unit_export"),
    path("units/import/", views.unit_import, name="unit_import"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/children/", views.unit_tree_children, name="unit_children"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/add/", views.unit_add_child, name="unit_add_child"),
    path("people/", views.person_list_page, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/export/", views.person_export, name="person_export"),
    path("people/import/", views.person_import, name="person_import"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/move/", views.person_move, name="person_move"),
    path("periods/", views.period_list_page, name="period_list"),
    path("periods/new/", views.period_create, name="period_create"),
    path("periods/year/", views.period_ensure_year, name="period_ensure_year"),
]
