"""Django shell around the evaluator (management commands live here).

evaluator.core stays plain Python; only this shell knows about Django.
"""

from django.apps import AppConfig


class EvaluatorConfig(AppConfig):
    name = "evaluator"
    verbose_name = "Evaluator"
    default_auto_field = "django.db.models.BigAutoField"
