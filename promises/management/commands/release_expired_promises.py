from django.core.management.base import BaseCommand

from promises import services


class Command(BaseCommand):
    help = "Cancel promises past their validUntil and release their stock (what the beat does)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=services.SWEEP_BATCH_SIZE)

    def handle(self, *args, batch_size, **options):
        released = services.release_expired_promises(batch_size=batch_size)
        self.stdout.write(f"Released {released} expired promise(s).")
