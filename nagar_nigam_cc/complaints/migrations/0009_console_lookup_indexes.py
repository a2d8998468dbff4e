"""Indexes for the agent console: a caller's latest complaints, and likely duplicates (same category,
same ward, recent). Both answer in one index range each at a million complaints (docs/benchmarks.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("complaints", "0008_sources_and_other_callers"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["citizen", "registered_at"], name="complaint_citizen_recent"),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(fields=["category", "ward", "registered_at"], name="complaint_place_recent"),
        ),
    ]
