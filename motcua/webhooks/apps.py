from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "motcua.webhooks"
    verbose_name = "Webhook"

    def ready(self) -> None:
        from motcua.dossiers.notices import dossier_followers_add
        from motcua.notify.services import outbox_channel
        from motcua.webhooks.services import CHANNEL, webhook_deliver, webhook_follow

        dossier_followers_add(webhook_follow)
        outbox_channel(CHANNEL, webhook_deliver)
