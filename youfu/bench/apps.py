from django.apps import AppConfig


class BenchConfig(AppConfig):
    """Benchmarks (性能基准): `youfu bench scoring` runs R1 and R2 over a synthetic national bank."""

    name = "youfu.bench"
    label = "bench"
