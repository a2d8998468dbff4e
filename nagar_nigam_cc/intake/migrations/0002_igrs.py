# IGRS imports: the category map, each file imported, and each of its rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0008_sources_and_other_callers'),
        ('directory', '0001_initial'),
        ('intake', '0001_call_centre'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IgrsCategoryMap',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('igrs_category', models.CharField(help_text="As the portal's file writes it, e.g. “सफाई/कूड़ा”. Spaces, capitals and the nukta are ignored.", max_length=200, verbose_name='IGRS category')),
                ('key', models.CharField(editable=False, max_length=200, unique=True)),
                ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='directory.category', verbose_name='our category')),
            ],
            options={
                'verbose_name': 'IGRS category',
                'verbose_name_plural': 'IGRS category map',
                'ordering': ['igrs_category'],
            },
        ),
        migrations.CreateModel(
            name='IgrsImport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file_name', models.CharField(max_length=255, verbose_name='file')),
                ('file_format', models.CharField(max_length=8, verbose_name='format')),
                ('encoding', models.CharField(blank=True, max_length=20, verbose_name='encoding')),
                ('uploaded_at', models.DateTimeField(db_index=True, verbose_name='uploaded at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('counts', models.JSONField(blank=True, default=dict, verbose_name='rows by outcome')),
                ('report', models.JSONField(blank=True, default=dict, verbose_name='file report')),
                ('uploaded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='imported by')),
            ],
            options={
                'verbose_name': 'IGRS import',
                'verbose_name_plural': 'IGRS imports',
                'ordering': ['-uploaded_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='IgrsImportRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row_number', models.PositiveIntegerField(help_text='As a spreadsheet numbers it (the header is a row too).', verbose_name='row')),
                ('reference', models.CharField(blank=True, max_length=64, verbose_name='IGRS reference')),
                ('outcome', models.CharField(choices=[('pending', 'ready to import'), ('imported', 'imported'), ('already', 'already imported'), ('unmapped', 'unmapped category'), ('unknown_ward', 'unknown ward'), ('bad_mobile', 'bad mobile'), ('broken', 'broken row')], default='pending', max_length=16, verbose_name='outcome')),
                ('message', models.TextField(blank=True, verbose_name='why')),
                ('received_at', models.DateTimeField(blank=True, null=True, verbose_name='received by IGRS')),
                ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='IGRS due date')),
                ('data', models.JSONField(blank=True, default=dict, verbose_name='values read')),
                ('batch', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rows', to='intake.igrsimport', verbose_name='import')),
                ('complaint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='complaints.complaint', verbose_name='complaint')),
            ],
            options={
                'verbose_name': 'IGRS import row',
                'verbose_name_plural': 'IGRS import rows',
                'ordering': ['batch', 'row_number'],
                'indexes': [models.Index(fields=['batch', 'outcome', 'row_number'], name='igrs_row_outcome')],
                'constraints': [models.UniqueConstraint(fields=('batch', 'row_number'), name='igrs_row_once_per_import')],
            },
        ),
    ]
