"""/intake/: the central number's Twilio webhooks, and the agents' screen-pop (a desk endpoint).

WhatsApp messages arrive at messaging's Twilio inbound webhook (/messages/twilio/inbound/), which hands
them to intake.whatsapp."""
from django.contrib import admin
from django.urls import path

from nagar_nigam_cc.intake import voice

app_name = "intake"
urlpatterns = [
    path("voice/incoming/", voice.incoming, name="voice-incoming"),
    path("voice/dial-status/", voice.dial_status, name="voice-dial-status"),
    path("voice/answered/", voice.agent_answered, name="voice-answered"),
    path("calls/live/", admin.site.admin_view(voice.live_calls), name="live-calls"),
]
