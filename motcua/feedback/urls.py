from django.urls import path

from motcua.feedback import views

app_name = "feedback"
urlpatterns = [
    path("danh-gia/", views.rate, name="rate"),
    path("phan-anh/", views.file, name="file"),
    path("phan-anh/tra-cuu/", views.find, name="find"),
    path("phan-anh/xac-minh/", views.verify, name="verify"),
    path("phan-anh/da-tra-loi/", views.answers, name="answers"),
    path("phan-anh/<str:code>/", views.item, name="item"),
]
