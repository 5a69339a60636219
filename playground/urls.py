from django.urls import path

from playground import views

urlpatterns = [
    path("", views.home, name="home"),
    path("gallery/", views.gallery, name="gallery"),
    path("healthz", views.healthz, name="healthz"),
]
