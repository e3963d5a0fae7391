"""The head-of-agency report's addresses, under /can-bo/giam-sat/bao-cao/ (motcua/urls.py)."""

from django.urls import path

from motcua.oversight import views_reports

app_name = "reports"
urlpatterns = [
    path("", views_reports.mine, name="mine"),
    path("<str:code>/<str:month>/", views_reports.head, name="head"),
    path("<str:code>/<str:month>.pdf", views_reports.head_pdf, name="head_pdf"),
    path("<str:code>/<str:month>.csv", views_reports.head_csv, name="head_csv"),
    path("<str:code>/<str:month>.xlsx", views_reports.head_xlsx, name="head_xlsx"),
]
