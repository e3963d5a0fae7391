from django.urls import path

from motcua.payments import views

app_name = "payments"
urlpatterns = [
    path("ho-so/<int:pk>/", views.pay, name="pay"),
    path("ket-qua/", views.callback, name="callback"),
    path("bien-lai/<str:reference>/<str:key>/", views.receipt_page, name="receipt"),
    path("thu-nghiem/<str:reference>/", views.sandbox, name="sandbox"),
    path("thu-nghiem/<str:reference>/chon/", views.sandbox_decide, name="sandbox_decide"),
]
