"""The portal simulator's address (a TEST DOUBLE), under motcua.simulator.services.URL_PREFIX;
included by motcua/urls.py only when settings.PORTAL_SIMULATOR is on."""

from django.urls import path

from motcua.simulator import views

app_name = "simulator"
urlpatterns = [path("dossiers/sync", views.sync, name="sync")]
