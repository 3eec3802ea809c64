"""Kinds of notice. A kind is a slug chosen by the app that sends it (``rectification_due``,
``complaint_assigned`` …); these are the filters of the inbox."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeState(models.TextChoices):
    UNREAD = "unread", _("Unread")
    READ = "read", _("Read")
