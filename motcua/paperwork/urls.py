from django.urls import path

from motcua.paperwork import views

app_name = "paperwork"
urlpatterns = [
    path("so-theo-doi/", views.ledger, name="ledger"),
    path("<int:pk>/<str:form>/", views.form, name="form"),
    path("<int:pk>/<str:form>/pdf/", views.form_pdf, name="form_pdf"),
]
