from django.urls import path

from motcua.portal import catalog, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tra-cuu/", views.track, name="track"),
    path("thu-tuc/", catalog.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", catalog.procedure, name="procedure"),
    path("thu-tuc/<str:code>/mau/<int:order>/", catalog.sample, name="procedure-sample"),
]
