from django.urls import path

from motcua.oversight import changes_views, views

app_name = "oversight"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("co-quan/<str:code>/", views.agency, name="agency"),
    path("ho-so/", views.dossiers, name="dossiers"),
    path("ho-so/<int:pk>/", views.dossier, name="dossier"),
    path("thay-doi-quan-tri/", changes_views.changes, name="changes"),
]
