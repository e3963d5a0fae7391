from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from motcua.portal.views import set_language

# The admin says whose it is, in Vietnamese, not "Trang quản trị cho Django".
admin.site.site_header = _("Quản trị hệ thống một cửa motcua")
admin.site.site_title = _("Quản trị motcua")
admin.site.index_title = _("Danh mục quản trị")

urlpatterns = [
    # One sign-in for staff and admin, with one set of guessing limits and the second factor:
    # the admin's own login page only sends to the staff one, keeping where to go next.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="desk:login", query_string=True),
        name="admin_login",
    ),
    path("admin/", admin.site.urls),
    # The API for integrating systems (motcua/api, docs/integration.md).
    path("api/v1/", include("motcua.api.urls")),
    path("", include("motcua.operations.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    # Liên thông between installations: the signed messages' receiver (motcua.exchange).
    path("lien-thong/v1/", include("motcua.exchange.urls")),
    # Before the desk's own: the head-of-agency report (motcua/oversight/report_urls.py).
    path("can-bo/giam-sat/bao-cao/", include("motcua.oversight.report_urls")),
    path("can-bo/giam-sat/canh-bao/", include("motcua.oversight.warning_urls")),
    path("can-bo/danh-gia-can-bo/", include("motcua.oversight.evidence_urls")),
    # Before the desk's: its read log (giam-sat/truy-cap/) falls through to it.
    path("can-bo/giam-sat/", include("motcua.oversight.urls")),
    path("can-bo/tich-hop/", include("motcua.integrations.urls")),
    path("can-bo/", include("motcua.desk.urls")),
    path("mau/", include("motcua.paperwork.urls")),
    path("tai-khoan/", include("motcua.citizens.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    path("lich-hen/", include("motcua.appointments.urls")),
    path("thong-ke/", include("motcua.portal.stats_urls")),
    path("", include("motcua.feedback.urls")),
    path("", include("motcua.online.urls")),
    path("", include("motcua.portal.urls")),
]
