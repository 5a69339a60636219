#!/usr/bin/env python
"""Django's command-line utility for KMS Playground."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["evaluate"]:
        # The evaluator needs no settings or database: skip Django's start-up,
        # which would be a quarter of a large batch's time.
        from evaluator.cli import main as evaluate

        sys.exit(evaluate(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
