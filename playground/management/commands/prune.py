"""`python manage.py prune --days N`: remove working copies untouched for N days.

A copy's last change (`updated`) is what counts; opening or viewing it does
not touch it. Snapshots (share links) always stay, and so does the key
material of every lineage that still has a copy or a snapshot; material no
copy or snapshot can use any more goes too.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from playground.models import KeyMaterial, Revision, Snapshot, WorkingCopy


class Command(BaseCommand):
    help = "Delete working copies not changed for --days days (snapshots are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, required=True, help="untouched for this many days")
        parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")

    def handle(self, *args, **options):
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        cutoff = timezone.now() - timedelta(days=days)
        old = WorkingCopy.objects.filter(updated__lt=cutoff)
        dry = options["dry_run"]
        with transaction.atomic():
            copies = old.count()
            revisions = Revision.objects.filter(working_copy__in=old).count()
            kept = WorkingCopy.objects.exclude(updated__lt=cutoff) if dry else WorkingCopy.objects
            if not dry:
                old.delete()
            orphans = KeyMaterial.objects.exclude(lineage__in=kept.values("lineage")).exclude(
                lineage__in=Snapshot.objects.values("lineage")
            )
            materials = orphans.count()
            if not dry:
                orphans.delete()
        verb = "Would delete" if dry else "Deleted"
        self.stdout.write(
            f"{verb} {copies} working cop{'y' if copies == 1 else 'ies'} untouched for"
            f" {days} day{'s' if days != 1 else ''} ({revisions} revisions) and the key"
            f" material of {materials} key{'s' if materials != 1 else ''} nothing uses any"
            f" more; snapshots kept: {Snapshot.objects.count()}."
        )
