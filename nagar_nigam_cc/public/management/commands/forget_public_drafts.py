"""Forget what citizens typed on the public pages and never confirmed with their code (and the photos
waiting with it), once it is NNC_PUBLIC_DRAFT_HOURS old. Safe to run at any time, by several at once."""
from django.core.management.base import BaseCommand

from nagar_nigam_cc.public.verification import forget_stale


class Command(BaseCommand):
    help = "Delete unconfirmed public complaints and answers older than NNC_PUBLIC_DRAFT_HOURS, with their photos."

    def handle(self, *args, **options):
        deleted = forget_stale()
        self.stdout.write(f"{deleted} forgotten")
