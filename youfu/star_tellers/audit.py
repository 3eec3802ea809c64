"""Star tellers store nothing of their own: a star level is a scorecard line of the star_tellers policy
(youfu.scoring, whose runs and the ledger entries they post keep who did what), and its inputs are facts
(youfu.facts, history kept per value). There is nothing more to register with django-auditlog."""
