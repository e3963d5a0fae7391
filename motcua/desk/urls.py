from django.urls import path

from motcua.desk.views import (
    appointments,
    auth,
    dossier,
    feedback,
    inbox,
    leader,
    oversight,
    payment,
    reception,
)

app_name = "desk"
urlpatterns = [
    path("dang-nhap/", auth.signin, name="login"),
    path("dang-nhap/ma-xac-thuc/", auth.verify, name="second_factor"),
    path("xac-thuc-hai-lop/", auth.enrol, name="enrol"),
    path("dang-xuat/", auth.signout, name="logout"),
    path("dang-xuat/moi-thiet-bi/", auth.signout_everywhere, name="logout_everywhere"),
    path("", inbox.inbox, name="inbox"),
    path("truc-tuyen/", inbox.online, name="online"),
    path("dieu-hanh/", leader.leader, name="leader"),
    path("giam-sat/truy-cap/", oversight.reads_log, name="reads"),
    path("tiep-nhan/", reception.reception, name="reception"),
    path("lich-hen/", appointments.day_list, name="appointments"),
    path("lich-hen/tai/", appointments.load, name="appointments_load"),
    path("lich-hen/ma/<str:key>/", appointments.by_key, name="appointment_key"),
    path("lich-hen/<int:pk>/", appointments.act, name="appointment_act"),
    path("tiep-nhan/thu-tuc/", reception.procedure_search, name="procedure_search"),
    path("phan-anh/", feedback.feedback_list, name="feedback"),
    path("phan-anh/<int:pk>/", feedback.feedback_item, name="feedback_item"),
    path("danh-gia/", feedback.ratings, name="ratings"),
    path("danh-gia/may-tai-quay/", feedback.desk_device, name="desk_device"),
    path("ho-so/<int:pk>/", dossier.detail, name="dossier"),
    path("ho-so/<int:pk>/thao-tac/", dossier.act, name="act"),
    path("ho-so/<int:pk>/le-phi/", payment.pay, name="pay"),
    path("ho-so/<int:pk>/ban-quet/<int:scan>/", dossier.scan, name="scan"),
    path("ho-so/<int:pk>/ket-qua/", dossier.result, name="result"),
]
