"""Open311 GeoReport v2 at /open311/v2/: each resource as .json and .xml (the spec's URLs)."""
from django.urls import path, re_path
from rest_framework.renderers import JSONRenderer

from nagar_nigam_cc.open311 import views
from nagar_nigam_cc.open311.render import Open311XMLRenderer

app_name = "open311"

RENDERERS = {"json": JSONRenderer, "xml": Open311XMLRenderer}

urlpatterns = [path("", views.NotFoundView.as_view(), name="root")]
for fmt, renderer in RENDERERS.items():
    # One renderer per URL: a .xml resource answers in XML, errors included, whatever the Accept header says.
    def route(url: str, view, name: str, fmt=fmt, renderer=renderer):
        return path(url, view.as_view(renderer_classes=[renderer]), {"format": fmt}, name=f"{name}-{fmt}")

    urlpatterns += [
        route(f"discovery.{fmt}", views.DiscoveryView, "discovery"),
        route(f"services.{fmt}", views.ServicesView, "services"),
        route(f"services/<str:service_code>.{fmt}", views.ServiceDefinitionView, "service"),
        route(f"requests.{fmt}", views.RequestsView, "requests"),
        route(f"requests/<str:service_request_id>.{fmt}", views.RequestView, "request"),
        route(f"tokens/<str:token>.{fmt}", views.TokenView, "token"),
        route(f"servicerequestupdates.{fmt}", views.UpdatesView, "updates"),
    ]
urlpatterns.append(re_path(r"^.+$", views.NotFoundView.as_view()))
