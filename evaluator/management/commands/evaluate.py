"""`python manage.py evaluate`: the Django face of `evaluator.cli` (same code).

manage.py runs `evaluator.cli` directly for speed; this command keeps
`manage.py help` and `call_command("evaluate", ...)` working.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from evaluator.cli import parser, run


class Command(BaseCommand):
    help = parser().description
    requires_system_checks: list[str] = []

    def run_from_argv(self, argv: list[str]) -> None:
        sys.exit(run(argv[2:], self.stdout, self.stderr))

    def add_arguments(self, parser):
        parser.add_argument("args", nargs="*")

    def handle(self, *args, **opts):
        code = run(list(args), self.stdout, self.stderr)
        if code:
            sys.exit(code)
