from django.urls import path

from motcua.oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("co-quan/<str:code>/", views.agency, name="agency"),
    path("ho-so/", views.dossiers, name="dossiers"),
    path("ho-so/<int:pk>/", views.dossier, name="dossier"),
]
