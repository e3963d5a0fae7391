from django.urls import path

from motcua.oversight import evidence_views

app_name = "oversight_evidence"
urlpatterns = [
    path("", evidence_views.evidence, name="list"),
    path("<int:person>/", evidence_views.decide, name="decide"),
]
