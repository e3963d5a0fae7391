from django.urls import path

from motcua.exchange import views

app_name = "exchange"
urlpatterns = [path("messages", views.messages, name="messages")]
