import gc

from django.apps import AppConfig

# CPython's cyclic collector runs its young generation every 700 new objects and,
# every 100 of those runs, walks everything alive. A worker keeps a few hundred
# thousand objects of cached scenarios, compiled policies and verdicts, and one
# edit allocates that many again: at the defaults a whole walk (about 80 ms at
# 200 nodes) landed in one edit of every two or three. Reference counting frees almost all of
# it anyway; the collector only finds cycles, so it can run far less often.
GC_THRESHOLDS = (20_000, 10, 10)


class PlaygroundConfig(AppConfig):
    name = "playground"
    verbose_name = "KMS Playground"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        gc.set_threshold(*GC_THRESHOLDS)
