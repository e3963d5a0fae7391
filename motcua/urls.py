from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("can-bo/", include("motcua.desk.urls")),
    path("mau/", include("motcua.paperwork.urls")),
    path("tai-khoan/", include("motcua.citizens.urls")),
    path("thanh-toan/", include("motcua.payments.urls")),
    path("lich-hen/", include("motcua.appointments.urls")),
    path("", include("motcua.feedback.urls")),
    path("", include("motcua.online.urls")),
    path("", include("motcua.portal.urls")),
]
