"""The REST API: /api/v1/ (token or desk login), its OpenAPI schema at /api/schema/ and the docs pages
at /api/docs/ (Swagger UI) and /api/redoc/, served from this server (no CDN)."""
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from nagar_nigam_cc.api import auth, views

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("complaints", views.ComplaintViewSet, basename="complaint")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("wards", views.WardViewSet, basename="ward")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("zones", views.ZoneViewSet, basename="zone")
router.register("officers", views.OfficerViewSet, basename="officer")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/attachments/<int:pk>/", views.AttachmentView.as_view(), name="attachment"),
    path("v1/auth/token/", auth.ObtainToken.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
