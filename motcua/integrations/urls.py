from django.urls import path

from motcua.integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.dead_letters, name="dead_letters"),
    path("gui-lai-ca-kenh/", views.replay_channel, name="replay_channel"),
    path("<int:pk>/gui-lai/", views.replay, name="replay"),
    path("<int:pk>/bo-qua/", views.discard, name="discard"),
]
