"""`manage.py send_daily_mis [--date YYYY-MM-DD] [--force]`: e-mail a day's MIS now (yesterday's by default)
to the recipients set in the desk, whatever the hour; once per day unless --force."""
from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from nagar_nigam_cc.reports import mis
from nagar_nigam_cc.reports.filters import city_zone, today
from nagar_nigam_cc.reports.models import MisDelivery, ReportSettings


class Command(BaseCommand):
    help = "E-mail the daily MIS (PDF) of a day to the recipients in the report settings, once per day."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day, YYYY-MM-DD (default: yesterday, in the city's time).")
        parser.add_argument("--force", action="store_true", help="Send it again even if it was sent already.")

    def handle(self, *args, date: str | None, force: bool, **options):
        if date:
            try:
                day = mis.parse_day(date)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        else:
            day = today() - timedelta(days=1)
        rules = ReportSettings.current()
        recipients = rules.recipients
        if not recipients:
            raise CommandError("No recipients: add e-mail addresses in the desk (Reports › Report settings).")
        if not rules.mis_enabled:
            self.stdout.write("Note: the daily MIS is switched off for the scheduler; sending this one by hand.")
        result = mis.send_mis(day, recipients=recipients, force=force)
        if result.outcome == "sent":
            self.stdout.write(self.style.SUCCESS(
                f"Sent the MIS of {day:%d.%m.%Y} to {', '.join(recipients)} "
                f"({result.pdf_bytes // 1024 + 1} KB PDF, made in {result.render_seconds:.1f} s)."))
        elif result.outcome == "already_sent":
            sent = timezone.localtime(MisDelivery.objects.get(day=day).sent_at, city_zone())
            self.stdout.write(f"The MIS of {day:%d.%m.%Y} was sent already (at {sent:%d.%m.%Y %H:%M}); "
                              "--force sends it again.")
        elif result.outcome == "busy":
            self.stdout.write(f"The MIS of {day:%d.%m.%Y} is being sent right now by the scheduler; nothing done.")
        else:
            raise CommandError(f"Sending the MIS of {day:%d.%m.%Y} failed: {result.detail}. "
                               "The scheduler tries again at its next run.")
