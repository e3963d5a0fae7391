from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    """The national portal simulator: a TEST DOUBLE, installed only outside production
    (settings.PORTAL_SIMULATOR)."""

    name = "motcua.simulator"
    verbose_name = "Mô phỏng Cổng Dịch vụ công quốc gia (thử nghiệm)"
