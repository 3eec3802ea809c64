from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "youfu.api"
    label = "api"
