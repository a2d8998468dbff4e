"""The field officer's phone pages, mounted at /officer/."""
from django.urls import path

from nagar_nigam_cc.complaints import officer_views

app_name = "officer"

urlpatterns = [
    path("", officer_views.queue, name="queue"),
    path("complaint/<str:docket>/", officer_views.detail, name="detail"),
    *(
        path(f"complaint/<str:docket>/{action}/", officer_views.act, {"action": action}, name=action)
        for action in officer_views.ACTION_ORDER
    ),
    path("attachment/<int:pk>/", officer_views.attachment, name="attachment"),
]
