"""The default SMS templates, in Hindi and English, for every kind of message that has one (a WhatsApp
conversation's words come with it), and the one row of message settings.

Each template uses only the variables messaging.templating offers its event, and every Hindi one fits
in two SMS parts with each variable at its longest (tests/test_messaging_admin.py checks both). The DLT
template ids are left empty: each city registers the texts on TRAI's DLT platform under its own
header and fills the ids in the desk.

A template the city already has (same event, channel and language) is left alone; going back removes
only the templates still worded as seeded here.
"""
from django.db import migrations

#: (event, language, text). Officers' messages are written for the field: short, docket first.
TEMPLATES = [
    # To the citizen.
    ("registered", "hi", "नगर निगम: शिकायत {docket} ({category}) दर्ज, हल {due} तक। {link}"),
    ("registered", "en", "Nagar Nigam: your complaint {docket} ({category}) is registered. Due by {due}. "
                         "Track: {link}"),
    ("resolved", "hi", "नगर निगम: शिकायत {docket} ({category}) का निस्तारण हुआ। संतुष्ट हों तो 1, समस्या बनी हो "
                       "तो 2 भेजें।"),
    ("resolved", "en", "Nagar Nigam: complaint {docket} ({category}) is resolved. Reply 1 {docket} if you are "
                       "satisfied, or 2 {docket} if the problem is not solved."),
    ("follower_added", "hi", "नगर निगम: यह समस्या शिकायत {docket} में पहले से दर्ज है। निस्तारण {due} तक। {link}"),
    ("follower_added", "en", "Nagar Nigam: this problem is already registered as complaint {docket} ({category}); "
                             "we will keep you informed. Due by {due}. {link}"),
    ("otp", "hi", "नगर निगम: आपका सत्यापन कोड {code} है। इसे किसी को न बताएँ।"),
    ("otp", "en", "Nagar Nigam: your verification code is {code}. Do not share it with anyone."),
    ("closed", "hi", "नगर निगम: शिकायत {docket} ({category}) बंद कर दी गई है। धन्यवाद। विवरण: {link}"),
    ("closed", "en", "Nagar Nigam: complaint {docket} ({category}) is closed. Thank you. {link}"),
    # To the officer.
    ("assigned", "hi", "नई शिकायत {docket}: {category}, {address}। मो. {mobile}। {due} तक"),
    ("assigned", "en", "New complaint {docket}: {category}, ward {ward}, {address} (near {landmark}). "
                       "Citizen {mobile}. Resolve by {due}."),
    ("reminder", "hi", "अनुस्मारक: शिकायत {docket} ({category}) का {percent}% समय बीत गया। {due} तक निस्तारण करें।"),
    ("reminder", "en", "Reminder: {percent}% of the time for complaint {docket} ({category}, ward {ward}) has "
                       "passed. Resolve by {due}."),
    ("reminder_digest", "hi", "अनुस्मारक: आपकी {count} शिकायतों का समय पूरा होने वाला है: {dockets}। पहली की "
                              "समय-सीमा {first_due}।"),
    ("reminder_digest", "en", "Reminder: {count} of your complaints are nearing their time limit: {dockets}. "
                              "The first is due by {first_due}."),
    ("breach", "hi", "समय-सीमा पार: शिकायत {docket} ({category}) का निस्तारण {due} तक होना था। तुरंत निस्तारण करें।"),
    ("breach", "en", "Time limit crossed: complaint {docket} ({category}, ward {ward}) was due by {due}. "
                     "Resolve it at once."),
    ("escalation", "hi", "शिकायत {docket} ({category}) {due} तक निस्तारित नहीं हुई; स्तर {level} पर आपको भेजी गई।"),
    ("escalation", "en", "Escalation (level {level}): complaint {docket} ({category}, ward {ward}) was not "
                         "resolved by {due}. Please take action."),
    # Answers to a citizen's SMS.
    ("reply_status", "hi", "शिकायत {docket}: {status}। निस्तारण {due} तक। {link}"),
    ("reply_status", "en", "Complaint {docket}: {status}. Due by {due}. {link}"),
    ("reply_confirmed", "hi", "धन्यवाद! शिकायत {docket} ({category}) के निस्तारण की आपकी पुष्टि दर्ज हो गई है। "
                              "- नगर निगम"),
    ("reply_confirmed", "en", "Thank you. Your confirmation that complaint {docket} ({category}) is resolved has "
                              "been recorded. - Nagar Nigam"),
    ("reply_reopened", "hi", "खेद है। शिकायत {docket} ({category}) फिर से खोली गई और स्तर {level} के वरिष्ठ अधिकारी "
                             "को भेजी गई है।"),
    ("reply_reopened", "en", "We are sorry. Complaint {docket} ({category}) has been reopened and sent to a senior "
                             "officer (level {level})."),
    ("reply_not_found", "hi", "इस मोबाइल नंबर से शिकायत {docket} नहीं मिली। शिकायत संख्या जाँचकर फिर भेजें। - नगर निगम"),
    ("reply_not_found", "en", "No complaint {docket} was found for this mobile number. Please check the number "
                              "and send it again. - Nagar Nigam"),
    ("reply_help", "hi", "नगर निगम: स्थिति जानने हेतु STATUS <शिकायत संख्या> भेजें। निस्तारण से संतुष्ट हों तो 1, "
                         "नहीं तो 2 भेजें।"),
    ("reply_help", "en", "Nagar Nigam: send STATUS <docket> to know the status of a complaint. After it is "
                         "resolved, send 1 if satisfied, 2 if not solved."),
]


def add_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    MessagingSettings = apps.get_model("messaging", "MessagingSettings")
    for event, language, body in TEMPLATES:
        MessageTemplate.objects.get_or_create(event=event, channel="sms", language=language, defaults={"body": body})
    MessagingSettings.objects.get_or_create(pk=1)


def remove_templates(apps, schema_editor):
    MessageTemplate = apps.get_model("messaging", "MessageTemplate")
    for event, language, body in TEMPLATES:
        MessageTemplate.objects.filter(event=event, channel="sms", language=language, body=body).delete()
    # The settings row as created here (defaults unchanged): without it the same defaults apply.
    MessagingSettings = apps.get_model("messaging", "MessagingSettings")
    field = MessagingSettings._meta.get_field
    MessagingSettings.objects.filter(
        pk=1, **{name: field(name).default for name in ("quiet_hours", "quiet_from", "quiet_until", "digest_from")}
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_delivery_templates_replies"),
    ]
    operations = [migrations.RunPython(add_templates, remove_templates)]
