"""The portal's URLs."""

from django.urls import path, re_path
from django.views.static import serve

from generator.portal import views
from generator.portal.config import HERE

urlpatterns = [
    path("", views.home),
    path("login", views.login_view),
    path("logout", views.logout_view),
    path("agency", views.agency_page),
    path("agency/upload", views.upload),
    path("agency/submit", views.submit),
    path("agency/workbook", views.workbook),
    path("versions/<int:version_id>", views.version_page),
    path("files/<int:version_id>/<str:kind>", views.file_download),
    path("county/", views.dashboard),
    path("county/submission/<int:submission_id>", views.submission_page),
    path("county/submission/<int:submission_id>/return", views.return_submission),
    path("county/submission/<int:submission_id>/approve", views.approve_submission),
    path("county/approved.zip", views.approved_zip),
    path("county/aggregate.xlsx", views.aggregate),
    path("county/audit", views.audit_page),
    re_path(r"^static/web/(?P<path>[a-z]+\.css)$", serve,
            {"document_root": str(HERE.parent / "web" / "static" / "web")}),
    re_path(r"^static/portal/(?P<path>[a-z]+\.css)$", serve,
            {"document_root": str(HERE / "static" / "portal")}),
]

handler404 = views.not_found
handler500 = views.server_error
