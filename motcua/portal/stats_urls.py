"""The public statistics page's address, /thong-ke/ (motcua/urls.py)."""

from django.urls import path

from motcua.portal import stats

app_name = "stats"
urlpatterns = [path("", stats.statistics, name="public")]
