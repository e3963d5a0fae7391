from django.urls import path

from motcua.online import views

app_name = "online"
urlpatterns = [
    path("thu-tuc/<str:code>/nop-truc-tuyen/", views.start, name="start"),
    path("ho-so-nhap/", views.drafts, name="drafts"),
    path("ho-so-nhap/<int:pk>/", views.draft, name="draft"),
    path("giay-tiep-nhan/", views.receipt, name="receipt"),
]
