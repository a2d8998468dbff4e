"""`manage.py export_igrs`: the disposal report for the IGRS portal (CSV with BOM, or .xlsx), with a
progress bar."""
from __future__ import annotations

import sys
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from nagar_nigam_cc.complaints.models import Complaint
from nagar_nigam_cc.intake import igrs


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": text}) from None


class Command(BaseCommand):
    help = "Write the IGRS disposal report (status, remarks, dates) for IGRS complaints; see docs/igrs.md."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start", help="first day, YYYY-MM-DD (default: the 1st of this month)")
        parser.add_argument("--to", dest="end", help="last day, YYYY-MM-DD (default: today)")
        parser.add_argument("--basis", choices=sorted(igrs.DISPOSAL_BASES), default=igrs.RECEIVED,
                            help="complaints received in the period (default), or changed in it")
        parser.add_argument("--format", dest="file_format", choices=("csv", "xlsx"), default=None,
                            help="default: from the output file's name, else csv")
        parser.add_argument("-o", "--output", help="file to write (default: CSV to standard output)")
        parser.add_argument("--dry-run", action="store_true", help="count the rows only; write nothing")

    def handle(self, *args, start, end, basis, file_format, output, dry_run, verbosity, **options):
        today = timezone.localdate()
        start_day = _date(start) if start else today.replace(day=1)
        end_day = _date(end) if end else today
        if end_day < start_day:
            raise CommandError(_("--to comes before --from."))
        file_format = file_format or ("xlsx" if output and output.lower().endswith(".xlsx") else "csv")
        if file_format == "xlsx" and not output and not dry_run:
            raise CommandError(_("An .xlsx report needs --output FILE."))
        complaints = igrs.disposal_queryset(Complaint.objects.all(), start_day, end_day, basis)
        total = complaints.count()
        if dry_run:
            self.stdout.write(_("%(count)d IGRS complaints from %(start)s to %(end)s.")
                              % {"count": total, "start": start_day, "end": end_day})
            return
        quiet = verbosity == 0 or not output
        bar = tqdm(total=total, desc=_("IGRS disposal report"), unit="", disable=quiet, file=sys.stderr)

        def rows():
            for row in igrs.disposal_rows(complaints):
                bar.update()
                yield row

        try:
            if file_format == "xlsx":
                with open(output, "wb") as out:
                    out.write(igrs.disposal_xlsx(rows()))
            elif output:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    out.writelines(igrs.disposal_csv(rows()))
            else:
                self.stdout.ending = ""
                for line in igrs.disposal_csv(rows()):
                    self.stdout.write(line)
        finally:
            bar.close()
        if output and verbosity:
            self.stdout.write(_("%(count)d rows written to %(file)s.") % {"count": total, "file": output})
