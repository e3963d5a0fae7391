from django.urls import path

from motcua.appointments import views

app_name = "appointments"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("dat/", views.book, name="book"),
    path("<int:pk>/", views.ticket, name="ticket"),
    path("<int:pk>/huy/", views.cancel, name="cancel"),
]
