from django.urls import path

from motcua.portal import catalog, mine, views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("tra-cuu/", views.track, name="track"),
    # The citizen's own dossiers, beside their account's pages (/tai-khoan/).
    path("tai-khoan/ho-so-da-nop/", mine.dossiers, name="my-dossiers"),
    path("tai-khoan/du-lieu-cua-toi/", mine.my_data, name="my-data"),
    path("tai-khoan/dong-tai-khoan/", mine.close_account, name="close-account"),
    path("tai-khoan/ho-so-da-nop/<int:pk>/", mine.dossier, name="my-dossier"),
    path("tai-khoan/ho-so-da-nop/<int:pk>/bo-sung/", mine.answer, name="my-answer"),
    path("tai-khoan/ho-so-da-nop/<int:pk>/rut/", mine.withdraw, name="my-withdraw"),
    path("tai-khoan/ho-so-da-nop/<int:pk>/xin-loi/", mine.apology, name="my-apology"),
    path("tai-khoan/ho-so-da-nop/<int:pk>/ket-qua/", mine.result, name="my-result"),
    path("thu-tuc/", catalog.catalog, name="catalog"),
    path("thu-tuc/<str:code>/", catalog.procedure, name="procedure"),
    path("thu-tuc/<str:code>/mau/<int:order>/", catalog.sample, name="procedure-sample"),
]
