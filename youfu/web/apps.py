from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "youfu.web"
    label = "web"
