"""`manage.py import_igrs FILE`: bring in the complaints of an IGRS export file, with a progress bar.

The file is read and checked whole first (an unreadable file changes nothing); then each ready row is
registered through `igrs.do_import_igrs`. `--dry-run` only reports what would happen.
"""
from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from nagar_nigam_cc.intake import igrs
from nagar_nigam_cc.intake.models import IgrsRowOutcome

_SHOWN = 50  # problem rows printed in full; the rest are in the desk's report


class Command(BaseCommand):
    help = "Import complaints from an IGRS export file (CSV or .xlsx); see docs/igrs.md."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the IGRS export: .csv (UTF-8, UTF-16 or Windows-1252) or .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="read and check only: register nothing")
        parser.add_argument("--user", help="login to record as the importer (default: none, the system)")

    def handle(self, *args, file: str, dry_run: bool, user: str | None, verbosity: int, **options):
        path = Path(file)
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror})
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(_("No active login named %(user)s.") % {"user": user})
        try:
            parsed = igrs.read_file(data, path.name)
        except igrs.IgrsFileError as error:
            raise CommandError(str(error)) from error
        quiet = verbosity == 0
        if dry_run:
            results = igrs.dry_run(parsed)
            counts = {o: 0 for o in IgrsRowOutcome.values}
            for _row, result in results:
                counts[result.outcome] += 1
            problems = [(row.number, row.reference, result) for row, result in results
                        if result.outcome not in (IgrsRowOutcome.PENDING, IgrsRowOutcome.ALREADY)]
            self._report(counts, problems, quiet, dry_run=True)
            return
        batch = igrs.start_import(parsed, file_name=path.name, actor=actor)
        bar = tqdm(total=batch.rows_total, initial=batch.rows_total - batch.pending, desc=_("IGRS rows"), unit="",
                   disable=quiet)
        try:
            counts = igrs.import_pending(batch, actor=actor, progress=lambda result: bar.update())
        finally:
            bar.close()
        problems = [(r.row_number, r.reference, igrs.RowResult(r.outcome, r.message))
                    for r in batch.rows.exclude(outcome__in=(IgrsRowOutcome.IMPORTED, IgrsRowOutcome.ALREADY))
                    .order_by("row_number")[:_SHOWN + 1]]
        self._report(counts, problems, quiet, dry_run=False, batch_id=batch.pk)

    def _report(self, counts: dict[str, int], problems, quiet: bool, *, dry_run: bool, batch_id: int | None = None):
        if quiet:
            return
        labels = dict(IgrsRowOutcome.choices)
        if dry_run:
            labels[IgrsRowOutcome.PENDING] = _("would be imported")
        summary = ", ".join(f"{labels[o]}: {n}" for o, n in counts.items() if n)
        self.stdout.write(self.style.SUCCESS(summary) if not problems else self.style.WARNING(summary))
        for number, reference, result in problems[:_SHOWN]:
            self.stdout.write(_("row %(row)d %(ref)s — %(outcome)s: %(why)s") % {
                "row": number, "ref": reference or "—", "outcome": labels[result.outcome], "why": result.message})
        if len(problems) > _SHOWN:
            self.stdout.write(_("… and more: see the import's report in the desk."))
        if batch_id is not None:
            self.stdout.write(_("Report: /desk/intake/igrsimport/%(id)d/change/") % {"id": batch_id})
