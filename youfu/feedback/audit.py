"""Registers the feedback models with django-auditlog (who changed what, before → after)."""

from auditlog.registry import auditlog

from youfu.feedback.models import (
    CallbackCall,
    CallbackDraw,
    CallbackRule,
    RatingBatch,
    Survey,
    SurveyQuestion,
)

auditlog.register(RatingBatch, exclude_fields=["report"])
auditlog.register(CallbackRule)
auditlog.register(CallbackDraw, exclude_fields=["pool"])
auditlog.register(CallbackCall)
auditlog.register(Survey)
auditlog.register(SurveyQuestion)
