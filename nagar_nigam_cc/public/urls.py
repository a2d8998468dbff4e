"""The citizen's pages, mounted at /t/ (the link in the acknowledgement SMS): tracking, a new complaint,
and the answer to a resolution."""
from django.urls import path
from django.views.generic import RedirectView

from nagar_nigam_cc.public import complain, feedback, views

app_name = "public"

urlpatterns = [
    path("", views.lookup, name="lookup"),
    # Before the docket patterns, which would take "new" for a docket number.
    path("new/", complain.new_complaint, name="new"),
    path("new", RedirectView.as_view(pattern_name="public:new", query_string=True)),
    path("new/<slug:token>/", complain.enter_code, name="code"),
    path("new/<slug:token>/resend/", complain.resend, name="resend"),
    path("new/<slug:token>/done/", complain.registered, name="registered"),
    path("<str:docket>/feedback/", feedback.ask, name="feedback"),
    path("<str:docket>/feedback/<slug:token>/", feedback.enter_code, name="feedback_code"),
    path("<str:docket>/feedback/<slug:token>/resend/", feedback.resend, name="feedback_resend"),
    path("<str:docket>/", views.status, name="status"),
    # The SMS link has no trailing slash (messaging.delivery.tracking_link): serve it as it is rather
    # than spend a redirect on a slow mobile connection.
    path("<str:docket>", views.status),
]
