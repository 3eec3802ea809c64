"""Registers the appraisal's models with django-auditlog (who changed what, before → after).

PeerScore and PeerBallot are deliberately NOT registered: an audit entry carries its actor and time,
and an entry for a peer score would name its author (员工互评 is anonymous). A test checks this.
"""

from auditlog.registry import auditlog

from youfu.appraisal.models import (
    Adjustment,
    AdjustmentBatch,
    Appeal,
    Cycle,
    FormItem,
    MonthlyForm,
    QuarterResult,
    Rating,
    Review,
)

auditlog.register(Cycle)
auditlog.register(MonthlyForm)
auditlog.register(FormItem)
auditlog.register(Rating)
auditlog.register(Review)
auditlog.register(AdjustmentBatch)
auditlog.register(Adjustment)
auditlog.register(QuarterResult)
auditlog.register(Appeal)
