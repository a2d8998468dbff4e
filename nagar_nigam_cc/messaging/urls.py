from django.urls import path

from nagar_nigam_cc.messaging import webhooks

app_name = "messaging"
urlpatterns = [
    path("twilio/status/", webhooks.twilio_status, name="twilio-status"),
    path("twilio/inbound/", webhooks.twilio_inbound, name="twilio-inbound"),
    path("dlt/receipt/<str:token>/", webhooks.dlt_receipt, name="dlt-receipt"),
    path("dlt/inbound/<str:token>/", webhooks.dlt_inbound, name="dlt-inbound"),
]
