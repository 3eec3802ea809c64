from django.urls import path

from youfu.standards import views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list_page, name="list"),
    path("new/", views.standard_create, name="create"),
    path("import/", views.standard_import, name="import"),
    path("<int:pk>/", views.standard_detail, name="detail"),
    path("<int:pk>/edit/", views.standard_edit, name="edit"),
    path("versions/<int:pk>/editor/", views.version_editor, name="editor"),
    path("versions/<int:pk>/publish/", views.version_publish, name="publish"),
    path("versions/<int:pk>/copy/", views.version_copy, name="copy"),
    path("versions/<int:pk>/export/", views.version_export, name="export"),
    path("versions/<int:pk>/sections/new/", views.section_add, name="section_add"),
    path("versions/<int:pk>/items/new/", views.item_add, name="item_add"),
    path("sections/<int:pk>/edit/", views.section_edit, name="section_edit"),
    path("sections/<int:pk>/delete/", views.section_delete, name="section_delete"),
    path("sections/<int:pk>/move/", views.section_move, name="section_move"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/move/", views.item_move, name="item_move"),
]
