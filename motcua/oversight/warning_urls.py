from django.urls import path

from motcua.oversight import warning_views

app_name = "oversight_warnings"
urlpatterns = [
    path("", warning_views.warning_list, name="list"),
    path("<int:pk>/", warning_views.warning_act, name="act"),
]
