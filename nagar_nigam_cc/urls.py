"""URL map: the desk (admin) at /desk/, the field officer's phone pages at /officer/."""
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(url="/desk/", permanent=False)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("officer/", include("nagar_nigam_cc.complaints.officer_urls")),
    path("desk/", admin.site.urls),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
