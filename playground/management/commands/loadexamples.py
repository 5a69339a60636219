"""`python manage.py loadexamples`: examples/*.json -> Scenario rows.

Idempotent: each file is keyed by its stem (example_slug), so running it again
updates the rows instead of adding new ones.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from playground.models import Scenario


class Command(BaseCommand):
    help = "Load every examples/*.json file into the gallery of example scenarios."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            type=Path,
            default=Path(settings.BASE_DIR) / "examples",
            help="folder holding the example files (default: examples/ in the project)",
        )

    def handle(self, *args, **options):
        folder: Path = options["dir"]
        files = sorted(folder.glob("*.json")) if folder.is_dir() else []
        if not files:
            self.stdout.write(f"No example files in {folder}: nothing loaded.")
            return
        created = updated = 0
        with transaction.atomic():
            for path in files:
                try:
                    document = json.loads(path.read_text(encoding="utf-8"))
                except (OSError, UnicodeDecodeError, ValueError) as exc:
                    raise CommandError(f"{path}: not a readable JSON file: {exc}") from exc
                if not isinstance(document, dict):
                    raise CommandError(f"{path}: a scenario document must be a JSON object")
                title = document.get("title")
                if not isinstance(title, str) or not title.strip():
                    title = path.stem.replace("-", " ").replace("_", " ")
                _, was_created = Scenario.objects.update_or_create(
                    example_slug=path.stem,
                    defaults={
                        "title": title.strip()[:200],
                        "document": document,
                        "is_example": True,
                    },
                )
                created += was_created
                updated += not was_created
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(files)} example(s) from {folder}: {created} new, {updated} updated."
            )
        )
