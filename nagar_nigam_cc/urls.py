"""URL map: the desk (admin) at /desk/, the field officer's phone pages at /officer/.

Uploaded photos are never served from a public /media/ URL: they are citizens' data, served by
officer:attachment after a visibility check.
"""
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/desk/", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("messages/", include("nagar_nigam_cc.messaging.urls")),
    path("intake/", include("nagar_nigam_cc.intake.urls")),
    path("officer/", include("nagar_nigam_cc.complaints.officer_urls")),
    # The agent console is a page of the desk (its login, its look); listed first, before the desk's
    # catch-all.
    path("desk/console/", include("nagar_nigam_cc.complaints.console")),
    path("desk/reports/", include("nagar_nigam_cc.reports.urls")),
    path("desk/", admin.site.urls),
    path("t/", include("nagar_nigam_cc.public.urls")),
    path("api/", include("nagar_nigam_cc.api.urls")),
    path("open311/v2/", include("nagar_nigam_cc.open311.urls")),
]
