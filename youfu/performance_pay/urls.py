from django.urls import path

from youfu.performance_pay import views

app_name = "performance_pay"

urlpatterns = [
    path("", views.pool_list, name="pools"),
    path("new/", views.pool_create, name="pool_create"),
    path("template/<str:kind>.xlsx", views.template, name="template"),
    path("<int:pk>/", views.pool_detail, name="pool"),
    path("<int:pk>/import/<str:kind>/", views.pool_import, name="pool_import"),
    path("<int:pk>/compute/", views.pool_compute, name="pool_compute"),
    path("<int:pk>/payroll.xlsx", views.payroll_export, name="payroll"),
    path("<int:pk>/people/<int:person>/", views.line_detail, name="line"),
]
