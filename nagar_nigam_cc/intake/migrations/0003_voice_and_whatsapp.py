# The central number (agents' lines and what callers hear; calls; call-back requests) and WhatsApp conversations.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0009_console_lookup_indexes'),
        ('intake', '0002_igrs'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IncomingCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('call_sid', models.CharField(max_length=64, unique=True, verbose_name='Twilio call id')),
                ('from_number', models.CharField(blank=True, max_length=32, verbose_name="caller's number as received")),
                ('from_mobile', models.CharField(blank=True, max_length=16, verbose_name="caller's number")),
                ('at', models.DateTimeField(db_index=True, verbose_name='called at')),
                ('state', models.CharField(choices=[('ringing', 'ringing'), ('answered', 'answered'), ('missed', 'missed'), ('after_hours', 'after hours')], default='ringing', max_length=12, verbose_name='state')),
                ('answered_by', models.CharField(blank=True, max_length=64, verbose_name="answered on (agent's line)")),
                ('dial_status', models.CharField(blank=True, max_length=20, verbose_name="Twilio's dial status")),
                ('ended_at', models.DateTimeField(blank=True, null=True, verbose_name='ended at')),
            ],
            options={
                'verbose_name': 'incoming call',
                'verbose_name_plural': 'incoming calls',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='callcentre',
            name='after_hours_en',
            field=models.TextField(blank=True, default='The Nagar Nigam complaint centre is closed now. We open again {opens}. We have noted your number and an agent will call you back. You can also register a complaint on WhatsApp. Thank you.', help_text='Said after the Hindi message; {opens} as there.', verbose_name='after-hours message (English)'),
        ),
        migrations.AddField(
            model_name='callcentre',
            name='after_hours_hi',
            field=models.TextField(default='नगर निगम शिकायत केंद्र अभी बंद है। हम {opens} फिर खुलेंगे। आपका नंबर दर्ज कर लिया गया है, हमारे सहायक आपको वापस कॉल करेंगे। आप व्हाट्सऐप पर भी शिकायत दर्ज करा सकते हैं। धन्यवाद।', help_text='Said outside working hours. {opens} is replaced by when the call centre opens again.', verbose_name='after-hours message (Hindi)'),
        ),
        migrations.AddField(
            model_name='callcentre',
            name='agent_numbers',
            field=models.TextField(blank=True, help_text='The phone lines that ring when a citizen calls in working hours, one per line: a number (+91…), sip:… or client:… . All ring at once; the first to answer takes the call. At most 10.', verbose_name="agents' lines"),
        ),
        migrations.AddField(
            model_name='callcentre',
            name='greeting_en',
            field=models.TextField(blank=True, default='', help_text='Said after the Hindi greeting; leave empty to connect sooner.', verbose_name='greeting (English)'),
        ),
        migrations.AddField(
            model_name='callcentre',
            name='greeting_hi',
            field=models.TextField(default='नगर निगम शिकायत केंद्र में आपका स्वागत है। कृपया लाइन पर बने रहें, आपकी कॉल हमारे सहायक से जोड़ी जा रही है।', help_text="Said to every caller in working hours before the agents' lines ring.", verbose_name='greeting (Hindi)'),
        ),
        migrations.AddField(
            model_name='callcentre',
            name='no_answer_en',
            field=models.TextField(blank=True, default='Sorry, all our agents are busy. We have noted your number and will call you back soon.', verbose_name='no agent answered (English)'),
        ),
        migrations.AddField(
            model_name='callcentre',
            name='no_answer_hi',
            field=models.TextField(default='क्षमा करें, अभी हमारे सभी सहायक दूसरी कॉल पर हैं। आपका नंबर दर्ज कर लिया गया है, हम जल्द ही आपको वापस कॉल करेंगे। धन्यवाद।', help_text='Said when no agent picked up in working hours; the caller is put in the call-back queue.', verbose_name='no agent answered (Hindi)'),
        ),
        migrations.CreateModel(
            name='WhatsAppConversation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mobile', models.CharField(max_length=16, unique=True, verbose_name='mobile')),
                ('language', models.CharField(blank=True, max_length=2, verbose_name='language')),
                ('step', models.CharField(choices=[('language', 'choosing the language'), ('category', 'choosing the problem'), ('ward', 'naming the ward or locality'), ('description', 'describing the problem'), ('photo', 'photo (optional)'), ('location', 'location (optional)'), ('done', 'finished')], default='language', max_length=12, verbose_name='step')),
                ('data', models.JSONField(blank=True, default=dict, verbose_name='answers so far')),
                ('started_at', models.DateTimeField(verbose_name='started at')),
                ('last_message_at', models.DateTimeField(verbose_name='last message at')),
                ('complaint', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='complaints.complaint', verbose_name='complaint')),
            ],
            options={
                'verbose_name': 'WhatsApp conversation',
                'verbose_name_plural': 'WhatsApp conversations',
            },
        ),
        migrations.CreateModel(
            name='CallbackRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('mobile', models.CharField(max_length=16, verbose_name='mobile')),
                ('asked_at', models.DateTimeField(verbose_name='asked at')),
                ('call_sid', models.CharField(max_length=64, unique=True, verbose_name='Twilio call id')),
                ('reason', models.CharField(choices=[('after_hours', 'called after hours'), ('missed', 'no agent answered')], default='after_hours', max_length=12, verbose_name='why')),
                ('calls', models.PositiveSmallIntegerField(default=1, verbose_name='calls')),
                ('last_call_at', models.DateTimeField(verbose_name='last call at')),
                ('state', models.CharField(choices=[('pending', 'to call back'), ('called', 'called back'), ('done', 'closed without calling')], default='pending', max_length=8, verbose_name='state')),
                ('open_key', models.CharField(blank=True, editable=False, max_length=16, null=True, unique=True)),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('handled_at', models.DateTimeField(blank=True, null=True, verbose_name='handled at')),
                ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='handled by')),
            ],
            options={
                'verbose_name': 'call-back request',
                'verbose_name_plural': 'call-back requests',
                'ordering': ['-asked_at', '-id'],
                'indexes': [models.Index(fields=['state', 'asked_at'], name='callback_queue')],
            },
        ),
    ]
