"""The router: decides each answer from the intent ranking and the knowledge modules' evidence.

``route(Turn) -> Reply`` (:mod:`knowledge.router.decide`); the question-kind signals are in
:mod:`knowledge.router.signals`, the router's own Danish replies in
:mod:`knowledge.router.replies`. Plain Python: the Rasa action ``action_answer`` adapts it.
"""

from knowledge.router.decide import Reply, Turn, gather, route, warm

__all__ = ["Reply", "Turn", "gather", "route", "warm"]
