from django.apps import AppConfig


class NationalConfig(AppConfig):
    name = "motcua.national"
    verbose_name = "Đồng bộ Cổng Dịch vụ công quốc gia"

    def ready(self) -> None:
        from motcua.dossiers.notices import dossier_followers_add
        from motcua.national.services import CHANNEL, national_follow, national_send
        from motcua.notify.services import outbox_channel

        outbox_channel(CHANNEL, national_send, keeps_order=True)
        dossier_followers_add(national_follow)
