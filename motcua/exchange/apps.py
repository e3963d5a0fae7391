from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "motcua.exchange"
    label = "exchange"
    verbose_name = "Liên thông giữa các hệ thống"
    # `motcua audit lockdown`: the message log is never updated nor deleted by the application.
    append_only = ("LogEntry",)

    def ready(self) -> None:
        from motcua.dossiers.notices import dossier_followers_add
        from motcua.exchange.services import exchange_follow, exchange_send
        from motcua.notify.services import outbox_channel

        outbox_channel("exchange", exchange_send)
        dossier_followers_add(exchange_follow)
