from django.urls import path

from motcua.citizens import views

app_name = "citizens"
urlpatterns = [
    path("dang-ky/", views.signup, name="signup"),
    path("dang-ky/xac-minh/", views.verify, name="verify"),
    path("dang-nhap/", views.signin, name="signin"),
    path("dang-nhap/ben-ngoai/", views.provider_start, name="provider_start"),
    path("dang-nhap/ben-ngoai/ve/", views.provider_back, name="provider_back"),
    path("dang-xuat/", views.signout, name="signout"),
    path("quen-mat-khau/", views.reset_request, name="reset_request"),
    path("dat-lai-mat-khau/<str:uid>/<str:token>/", views.reset_confirm, name="reset_confirm"),
    path("ho-so/", views.profile, name="profile"),
    path("ho-so/lien-lac/", views.contact, name="contact"),
]
